import { LevelOutboxStore } from '../../lib/outbox/level-outbox-store.js';
import { DeliveryLedger, formatLedger, total } from '../support/delivery-ledger.js';
import { temporaryOutboxDirectory } from '../support/relay-process.js';
import { TOPICS, taskRelayConfig, useTaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';
import { FAILED_RELOAD_CHANNELS, failedReload } from './support/failed-reload.js';
import { FAULT_SEED, faultSetting } from './support/fault-settings.js';

/** Messages each publisher (one per topic) and so the outbox may hold for it. */
const BOUND = 25;
const EVENTS = faultSetting('FAULT_OUTBOX_FULL_EVENTS', 60, 400);

describe(`the outbox full: ${EVENTS} failed reloads while the broker is away, ${BOUND} held per topic`, () => {
  const suite = useTaskEventsEnvironment({
    mosquitto: { persistence: true },
    subscriber: {
      clientId: 'fault-outbox-full-subscriber',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    },
  });

  it('evicts the oldest as the policy says, counts each eviction, and delivers the rest', async () => {
    const { broker, subscriber } = suite.env;
    const outbox = temporaryOutboxDirectory();
    const config = taskRelayConfig(suite.env, {
      // One lookup at a time: messages reach the outbox in the order the events were sent.
      udpServerConfig: { messageQueue: { maxConcurrent: 1, maxSize: 1000 } },
      relay: { publish: { queue: { maxMessages: BOUND, overflow: 'drop-oldest' } } },
    });
    const relay = await suite.startWith(config, { RELAY_OUTBOX_DIRECTORY: outbox });
    await subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start');
    const ledger = await DeliveryLedger.open({
      title: `outbox full, ${EVENTS} failed reloads, ${BOUND} held per topic, drop-oldest`,
      seed: FAULT_SEED,
      httpPort: relay.httpPort,
      subscriber,
      channels: FAILED_RELOAD_CHANNELS,
    });

    await broker.stop();
    await relay.process.waitForLog('mqtt.disconnected');
    const reloads = Array.from({ length: EVENTS }, (_, n) => failedReload('outbox full', n));
    for (const { key } of reloads) ledger.record(key);
    await relay.send(...reloads.map((r) => r.datagram));
    const messages = 2 * EVENTS;
    await waitUntil(
      async () => (await ledger.snapshot()).accepted === messages,
      `all ${messages} messages accepted`,
      30_000,
    );

    await broker.start();
    let entry = await ledger.snapshot();
    await waitUntil(
      async () => {
        entry = await ledger.snapshot();
        return (
          entry.inRelay === 0 &&
          entry.deliveredMessages + total(entry.droppedAfterAcceptance) === messages
        );
      },
      'every accepted message delivered or evicted',
      30_000,
    );
    console.log(formatLedger(entry));

    // Per topic the newest BOUND stay; every other accepted message was evicted and counted.
    expect(entry).toMatchObject({
      sent: EVENTS,
      accepted: messages,
      deliveredMessages: 2 * BOUND,
      droppedAfterAcceptance: { 'publisher/queue-full': messages - 2 * BOUND },
      droppedBeforeAcceptance: {},
      partial: 0,
      stray: 0,
    });
    const newest = reloads.slice(-BOUND).map((r) => r.key);
    expect(ledger.allDelivered(newest)).toBe(true);
    expect(entry.delivered).toBe(BOUND);

    await relay.stop();
    const store = new LevelOutboxStore({ directory: outbox, fsync: 'always', fsyncIntervalMs: 1 });
    const left = await store.open();
    await store.close();
    expect(left).toEqual({ records: [], corrupt: [] }); // evicted and delivered alike removed
  }, 90_000);
});
