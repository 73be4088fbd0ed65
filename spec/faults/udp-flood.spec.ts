import {
  DeliveryLedger,
  droppedFor,
  expectNothingLost,
  formatLedger,
} from '../support/delivery-ledger.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import { FAILED_RELOAD_CHANNELS, failedReload } from './support/failed-reload.js';
import { FAULT_SEED, faultSetting } from './support/fault-settings.js';
import { HealthProbes } from './support/health-probes.js';
import { seededRandom } from './support/seeded-random.js';
import { floodUdp } from './support/udp-flood.js';

const PER_SECOND = faultSetting('FAULT_FLOOD_PER_SECOND', 3000, 20000);
const SECONDS = faultSetting('FAULT_FLOOD_SECONDS', 2, 5);
/** A small task queue behind a slow Repository Service: it is full almost at once. */
const MESSAGE_QUEUE = { maxConcurrent: 2, maxSize: 10 };
const QRS_DELAY_MS = 200;
/** The requirement: a health check is answered within a second, flood or not. */
const HEALTH_ANSWER_MS = 1000;
/** Shares of the flood that are resends of an earlier datagram, and that are not task events. */
const RESEND_SHARE = 0.1;
const MALFORMED_SHARE = 0.05;
/** Why the relay may drop a datagram of this flood; anything else is a fault. */
const FLOOD_DROP_REASONS = new Set(
  ['queue-full', 'duplicate', 'malformed', 'kernel-buffer'].map((reason) => `udp:tasks/${reason}`),
);

describe(`a UDP flood of ${PER_SECOND} datagrams/s for ${SECONDS} s`, () => {
  const suite = useTaskEventsEnvironment();

  it(
    'counts every drop by its reason, delivers everything it took in, and keeps answering /healthz',
    async () => {
      const relay = await suite.start({
        udpServerConfig: { messageQueue: MESSAGE_QUEUE },
        relay: { qrs: { cacheTtlMs: 0, attempts: 1, timeoutMs: 10_000 } },
      });
      const { qrs, subscriber } = suite.env;
      await subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start');
      qrs.delay(QRS_DELAY_MS);
      const ledger = await DeliveryLedger.open({
        title:
          `UDP flood ${PER_SECOND}/s for ${SECONDS} s into a queue of ` +
          `${MESSAGE_QUEUE.maxConcurrent} running + ${MESSAGE_QUEUE.maxSize} waiting, ` +
          `Repository Service ${QRS_DELAY_MS} ms`,
        seed: FAULT_SEED,
        httpPort: relay.httpPort,
        subscriber,
        channels: FAILED_RELOAD_CHANNELS,
      });

      // New failures, resends of earlier ones and datagrams that are no task event, as drawn.
      const random = seededRandom(FAULT_SEED, 'udp flood');
      const datagrams: string[] = [];
      let malformedSent = 0;
      for (let n = 0; n < PER_SECOND * SECONDS; n += 1) {
        const draw = random.next();
        if (draw < MALFORMED_SHARE) {
          ledger.record();
          malformedSent += 1;
          datagrams.push(`/scheduler-task-failed/;flood;datagram ${n} has too few fields`);
          continue;
        }
        const earlier = draw < MALFORMED_SHARE + RESEND_SHARE && n > 0;
        const { key, datagram } = failedReload('udp flood', earlier ? random.between(0, n - 1) : n);
        ledger.record(key);
        datagrams.push(datagram);
      }

      const probes = HealthProbes.start(relay.httpPort);
      await floodUdp(relay.udpPort, datagrams, PER_SECOND);
      const entry = await ledger.settle(30_000, { quiet: true });
      const answers = await probes.stop();
      console.log(
        `${formatLedger(entry)}\n  /healthz  ${answers.length} probes during the flood and its ` +
          `drain, slowest ${Math.round(Math.max(...answers.map((a) => a.ms)))} ms, statuses ` +
          `${[...new Set(answers.map((a) => a.status))].join(', ')}`,
      );

      expectNothingLost(entry);
      const reasons = Object.keys(entry.droppedBeforeAcceptance);
      expect(reasons.filter((reason) => !FLOOD_DROP_REASONS.has(reason))).toEqual([]);
      expect(droppedFor(entry, 'queue-full')).toBeGreaterThan(0);
      // Only the kernel may have discarded some of the malformed ones before the relay saw them.
      const kernelDrops = droppedFor(entry, 'kernel-buffer');
      expect(droppedFor(entry, 'malformed')).toBeLessThanOrEqual(malformedSent);
      expect(droppedFor(entry, 'malformed') + kernelDrops).toBeGreaterThanOrEqual(malformedSent);

      expect(answers.length).toBeGreaterThanOrEqual(SECONDS * 5);
      const late = answers.filter((a) => a.status !== 200 || a.ms >= HEALTH_ANSWER_MS);
      expect(late).toEqual([]);
    },
    SECONDS * 1000 + 90_000,
  );
});
