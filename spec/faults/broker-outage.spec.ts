import { DeliveryLedger, expectNothingLost } from '../support/delivery-ledger.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';
import { FAILED_RELOAD_CHANNELS, failedReload } from './support/failed-reload.js';
import { FAULT_SEED, faultSetting } from './support/fault-settings.js';
import { SteadyInput } from './support/steady-input.js';

const OUTAGE_SECONDS = faultSetting('FAULT_OUTAGE_SECONDS', 5, 30);
/** Failed reloads per second, sent before, during and after the outage. */
const PER_SECOND = 20;
/** Seconds of input before the broker stops and after it is back. */
const MARGIN_SECONDS = 1;

describe(`the broker stopped for ${OUTAGE_SECONDS} s under steady input`, () => {
  // Broker persistence and a persistent subscriber session: what the relay publishes right after
  // the restart reaches the subscriber even before it has reconnected.
  const suite = useTaskEventsEnvironment({
    mosquitto: { persistence: true },
    subscriber: {
      clientId: 'fault-outage-subscriber',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    },
  });

  it(
    'delivers every alert sent before, during and after the outage',
    async () => {
      const { broker, subscriber } = suite.env;
      const relay = await suite.start();
      await subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start');
      const ledger = await DeliveryLedger.open({
        title: `broker stopped ${OUTAGE_SECONDS} s, ${PER_SECOND} failed reloads/s`,
        seed: FAULT_SEED,
        httpPort: relay.httpPort,
        subscriber,
        channels: FAILED_RELOAD_CHANNELS,
      });
      const input = SteadyInput.start(relay.udpPort, PER_SECOND, (n) => {
        const { key, datagram } = failedReload('broker outage', n);
        ledger.record(key);
        return datagram;
      });
      const sentBy = (count: number, what: string) =>
        waitUntil(() => input.sent >= count, what, (count / PER_SECOND) * 1000 + 10_000);

      await sentBy(MARGIN_SECONDS * PER_SECOND, 'the input before the outage');
      await broker.stop();
      await relay.process.waitForLog('mqtt.disconnected');
      // The outage lasts as long as the input takes to send its share at the fixed rate.
      await sentBy(input.sent + OUTAGE_SECONDS * PER_SECOND, 'the input during the outage');
      await broker.start();
      await waitUntil(
        () => relay.process.records('mqtt.connected').length >= 2,
        'the relay to reconnect',
        10_000,
      );
      await sentBy(input.sent + MARGIN_SECONDS * PER_SECOND, 'the input after the outage');
      await input.stop();

      const entry = await ledger.settle(30_000);
      expectNothingLost(entry);
      expect(entry.droppedBeforeAcceptance).toEqual({}); // unique, well-formed, few: none dropped
    },
    OUTAGE_SECONDS * 1000 + 90_000,
  );
});
