import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { RelayProcess } from '../support/relay-process.js';
import { TestSubscriber } from '../support/subscriber.js';
import { waitUntil } from '../support/wait-until.js';

/** How long the broker stays down; `npm run test:faults` runs this with 30. */
const OUTAGE_SECONDS = Number(process.env.OUTAGE_SECONDS ?? 3);
const TICK_MS = 100;

describe(`a broker outage of ${OUTAGE_SECONDS} s`, () => {
  let broker: Mosquitto;
  let subscriber: TestSubscriber;
  let relay: RelayProcess;

  beforeAll(async () => {
    // Persistence plus a persistent subscriber session: whatever the relay publishes right after
    // the restart reaches the subscriber even before it has reconnected.
    broker = await startMosquitto({ persistence: true });
    subscriber = await TestSubscriber.connect(broker.url, ['outage/#'], {
      clientId: 'outage-subscriber',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    });
  });
  afterAll(async () => {
    await relay?.kill();
    await subscriber?.close();
    await broker?.stop();
  });

  it(
    'loses nothing that was published during it, and keeps the order',
    async () => {
      relay = RelayProcess.start({
        Butler: { mqttConfig: { enable: true, brokerHost: broker.host, brokerPort: broker.port } },
        Relay: {
          mqtt: { reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } },
          pipelines: [
            {
              name: 'sequence',
              source: { type: 'timer', every: `${TICK_MS}ms` },
              routes: [{ topic: 'outage/sequence', payload: '{{data.count}}' }],
            },
          ],
        },
      });
      await subscriber.waitFor('outage/sequence', 5);

      await broker.stop();
      await relay.waitForLog('mqtt.disconnected');
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_SECONDS * 1000));
      await broker.start();
      await waitUntil(() => relay.records('mqtt.connected').length >= 2, 'the reconnect', 30_000);

      // Everything produced during the outage arrives, then new ticks continue.
      const producedDuringOutage = (OUTAGE_SECONDS * 1000) / TICK_MS;
      await waitUntil(
        () => new Set(subscriber.payloads('outage/sequence')).size > producedDuringOutage + 10,
        'the backlog and fresh ticks',
        OUTAGE_SECONDS * 1000 + 20_000,
      );
      expect(await relay.stop()).toBe(0);

      const received = subscriber.payloads('outage/sequence').map(Number);
      const distinct = [...new Set(received)];
      const last = Math.max(...distinct);
      const missing = Array.from({ length: last + 1 }, (_, n) => n).filter(
        (n) => !distinct.includes(n),
      );
      console.log(
        `outage ${OUTAGE_SECONDS} s: ${received.length} received, ${distinct.length} distinct, ` +
          `${received.length - distinct.length} duplicates, ${missing.length} missing`,
      );
      expect(missing).toEqual([]);
      // In order: each distinct value first appears after all smaller ones.
      expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
    },
    OUTAGE_SECONDS * 1000 + 60_000,
  );
});
