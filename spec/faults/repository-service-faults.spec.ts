import { DeliveryLedger, expectNothingLost } from '../support/delivery-ledger.js';
import type { FakeQrs } from '../support/fake-qrs.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import {
  FAILED_RELOAD_CHANNELS,
  failedReload,
  type FullFailedMessage,
} from './support/failed-reload.js';
import { FAULT_SEED, faultSetting } from './support/fault-settings.js';

/** Failed reloads sent while the service is faulty, and again once it has recovered. */
const DURING = faultSetting('FAULT_QRS_EVENTS', 12, 60);
const AFTER = 3;
const TIMEOUT_MS = 300;

interface RepositoryFault {
  readonly name: string;
  readonly inject: (qrs: FakeQrs) => Promise<unknown> | unknown;
  /** What the full message says about the failed lookup. */
  readonly reason: RegExp;
}

const FAULTS: readonly RepositoryFault[] = [
  {
    name: 'slower than Relay.qrs.timeoutMs',
    inject: (qrs) => qrs.delay(TIMEOUT_MS * 10),
    reason: /^task lookup failed: .*timed out after 300 ms/,
  },
  {
    name: 'answering 500',
    inject: (qrs) => qrs.fail('*', 500),
    reason: /^task lookup failed: .*answered HTTP 500.*; app lookup failed: .*answered HTTP 500/,
  },
  {
    name: 'refusing connections',
    inject: (qrs) => qrs.refuseConnections(),
    reason: /^task lookup failed: .*connect ECONNREFUSED/,
  },
];

/** What each full message says about its lookup, by task name (a QoS 1 copy counts once). */
const enrichmentByTask = (payloads: readonly string[]) =>
  new Map(
    payloads.map((payload) => {
      const message = JSON.parse(payload) as FullFailedMessage;
      return [message.taskName, message.relay_enrichment];
    }),
  );

describe('a Repository Service that is', () => {
  const suite = useTaskEventsEnvironment({
    // No cache, so that every event asks the service; two attempts keep the lookups short.
    sharedRelay: { relay: { qrs: { timeoutMs: TIMEOUT_MS, attempts: 2, cacheTtlMs: 0 } } },
  });
  // The ledgers count from here: the listener's `start` must be out before the first opens.
  beforeAll(() =>
    suite.env.subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start'),
  );
  afterEach(async () => {
    await suite.env.qrs.restore();
  });

  it.each(FAULTS)(
    '$name: every alert still goes out, marked as not enriched, and nothing is lost',
    async (fault) => {
      const { relay } = suite;
      const { qrs, subscriber } = suite.env;
      const scenario = `repository service ${fault.name}`;
      const ledger = await DeliveryLedger.open({
        title: `${scenario}, ${DURING} failed reloads, then ${AFTER} once it recovered`,
        seed: FAULT_SEED,
        httpPort: relay.httpPort,
        subscriber,
        channels: FAILED_RELOAD_CHANNELS,
      });
      const send = async (from: number, count: number) => {
        for (let n = from; n < from + count; n += 1) {
          const { key, datagram } = failedReload(scenario, n);
          ledger.record(key);
          await relay.send(datagram);
        }
      };

      await fault.inject(qrs);
      await send(0, DURING);
      await ledger.settle(30_000, { quiet: true });
      const duringFault = enrichmentByTask(subscriber.payloads(TOPICS.failedFull));
      expect(duringFault.size).toBe(DURING);
      for (const enrichment of duringFault.values()) {
        expect(enrichment).toEqual({
          status: 'failed',
          reason: expect.stringMatching(fault.reason),
        });
      }

      await qrs.restore();
      await send(DURING, AFTER);
      const entry = await ledger.settle(30_000);
      expectNothingLost(entry);
      expect(entry.droppedBeforeAcceptance).toEqual({});
      const recovered = enrichmentByTask(subscriber.payloads(TOPICS.failedFull));
      for (let n = DURING; n < DURING + AFTER; n += 1) {
        expect([n, recovered.get(failedReload(scenario, n).key)]).toEqual([n, undefined]);
      }
    },
    90_000,
  );
});
