import { DeliveryLedger, expectNothingLost } from '../support/delivery-ledger.js';
import { waitForMetric } from '../support/relay-metrics-scrape.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';
import { FAILED_RELOAD_CHANNELS, failedReload } from './support/failed-reload.js';
import { FAULT_SEED, faultSetting } from './support/fault-settings.js';
import { seededRandom } from './support/seeded-random.js';
import { SteadyInput } from './support/steady-input.js';

const CYCLES = faultSetting('FAULT_FLAP_CYCLES', 4, 12);
/** Failed reloads per second while the broker flaps: a burst, many per reconnect. */
const PER_SECOND = 100;

/** How long the broker stays down, then up, in each cycle: drawn from the seed. */
const random = seededRandom(FAULT_SEED, 'broker flapping');
const CYCLE_TIMINGS = Array.from({ length: CYCLES }, () => ({
  downMs: random.between(100, 1500),
  upMs: random.between(100, 1000),
}));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`a broker restarted ${CYCLES} times during a burst`, () => {
  const suite = useTaskEventsEnvironment({
    mosquitto: { persistence: true },
    subscriber: {
      clientId: 'fault-flapping-subscriber',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    },
  });

  it(
    'loses no alert, whatever the restarts cut off',
    async () => {
      const { broker, subscriber } = suite.env;
      const relay = await suite.start();
      await subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start');
      const timings = CYCLE_TIMINGS.map((t) => `${t.downMs}/${t.upMs}`).join(' ');
      const ledger = await DeliveryLedger.open({
        title: `broker down/up ms ${timings}, ${PER_SECOND} failed reloads/s`,
        seed: FAULT_SEED,
        httpPort: relay.httpPort,
        subscriber,
        channels: FAILED_RELOAD_CHANNELS,
      });
      const input = SteadyInput.start(relay.udpPort, PER_SECOND, (n) => {
        const { key, datagram } = failedReload('broker flapping', n);
        ledger.record(key);
        return datagram;
      });

      // The fault itself is timed: the broker is down and up for the drawn durations, whether
      // or not the relay managed to reconnect in between.
      for (const { downMs, upMs } of CYCLE_TIMINGS) {
        await broker.stop();
        await pause(downMs);
        await broker.start();
        await pause(upMs);
      }
      const sentWhileFlapping = input.sent;
      await waitForMetric(
        relay.httpPort,
        'relay_broker_connected',
        { broker: 'main' },
        (v) => v === 1,
      );
      await waitUntil(
        () => input.sent >= sentWhileFlapping + PER_SECOND / 2,
        'input after the last restart',
        10_000,
      );
      await input.stop();

      const entry = await ledger.settle(30_000);
      expectNothingLost(entry);
      expect(entry.droppedBeforeAcceptance).toEqual({});
    },
    CYCLES * 2_500 + 90_000,
  );
});
