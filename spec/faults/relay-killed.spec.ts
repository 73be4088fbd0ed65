import { LevelOutboxStore } from '../../lib/outbox/level-outbox-store.js';
import type { OutboxRecord } from '../../lib/outbox/outbox-store.js';
import { ACCEPTED_METRIC, DeliveryLedger, expectNothingLost } from '../support/delivery-ledger.js';
import { metricSamples, scrapeMetrics } from '../support/relay-metrics-scrape.js';
import { RelayProcess, temporaryOutboxDirectory } from '../support/relay-process.js';
import type { ReceivedMessage } from '../support/subscriber.js';
import { TOPICS, taskRelayConfig, useTaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';
import { FAILED_RELOAD_CHANNELS, failedReload } from './support/failed-reload.js';
import { FAULT_SEED, faultSetting } from './support/fault-settings.js';
import { seededRandom } from './support/seeded-random.js';
import { SteadyInput } from './support/steady-input.js';

const BURST_PER_SECOND = faultSetting('FAULT_KILL_BURST_RATE', 200, 500);
const BURST_SECONDS = faultSetting('FAULT_KILL_BURST_SECONDS', 2, 6);

/** The ledger's key of a message, by the channel (topic) it is on. */
function keyOf(message: Pick<ReceivedMessage, 'topic' | 'payload'>): string | undefined {
  return FAILED_RELOAD_CHANNELS.find((c) => c.topic === message.topic)?.keyOf(
    message as ReceivedMessage,
  );
}

async function accepted(httpPort: number): Promise<number> {
  const samples = metricSamples(await scrapeMetrics(httpPort), ACCEPTED_METRIC);
  return samples.reduce((sum, sample) => sum + sample.value, 0);
}

async function outboxContents(directory: string): Promise<readonly OutboxRecord[]> {
  const store = new LevelOutboxStore({ directory, fsync: 'always', fsyncIntervalMs: 1000 });
  const { records, corrupt } = await store.open();
  await store.close();
  expect(corrupt).toEqual([]);
  return records;
}

describe('the relay killed (SIGKILL) mid-burst while the broker is away, then restarted', () => {
  const suite = useTaskEventsEnvironment({
    mosquitto: { persistence: true },
    subscriber: {
      clientId: 'fault-killed-subscriber',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    },
  });

  it(
    'sends every message it had accepted once it runs again, and then carries on',
    async () => {
      const { broker, subscriber } = suite.env;
      const random = seededRandom(FAULT_SEED, 'relay killed');
      const outbox = temporaryOutboxDirectory();
      const env = { RELAY_OUTBOX_DIRECTORY: outbox };
      const config = taskRelayConfig(suite.env);
      const first = await suite.startWith(config, env);
      await subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start');

      // The burst, with the broker gone: the relay takes what it can into its outbox.
      await broker.stop();
      await first.process.waitForLog('mqtt.disconnected');
      const burstTotal = BURST_PER_SECOND * BURST_SECONDS * 2; // messages the burst would make
      const killAt = random.between(Math.round(burstTotal * 0.2), Math.round(burstTotal * 0.7));
      const before = await accepted(first.httpPort); // the listener's `start` message
      const burst = SteadyInput.start(first.udpPort, BURST_PER_SECOND, (n) => {
        return failedReload('killed burst', n).datagram;
      });
      let acceptedBeforeKill = 0;
      await waitUntil(
        async () => (acceptedBeforeKill = (await accepted(first.httpPort)) - before) >= killAt,
        `${killAt} messages accepted`,
        BURST_SECONDS * 1000 + 20_000,
      );
      await first.kill(); // mid-burst: datagrams are still arriving and being looked up
      const burstSent = await burst.stop();
      const left = await outboxContents(outbox);

      // Everything the killed relay had accepted is in the outbox (nothing could be delivered).
      expect(left.length).toBeGreaterThanOrEqual(acceptedBeforeKill);
      expect(left.length).toBeLessThanOrEqual(burstSent * 2);
      const expected = left.map(
        (r) =>
          `${r.message.topic} ${keyOf({ topic: r.message.topic, payload: String(r.message.payload) })}`,
      );

      // Restarted while the broker is still away: it takes up what was left, then the broker returns.
      const second = RelayProcess.start(config, env);
      try {
        const replay = await second.waitForLog('outbox.replay');
        expect(replay.count).toBe(left.length);
        const http = await second.waitForLog('http.listening');
        const listening = await second.waitForLog('udp.listening');
        await broker.start();
        await second.waitForLog('mqtt.connected', () => true, 15_000);

        const arrived = (): Set<string> =>
          new Set(
            [TOPICS.failed, TOPICS.failedFull].flatMap((topic) =>
              subscriber.messages(topic).map((m) => `${topic} ${keyOf(m)}`),
            ),
          );
        await waitUntil(
          () => {
            const seen = arrived(); // once per poll: thousands of entries
            return expected.every((entry) => seen.has(entry));
          },
          `the ${expected.length} messages left in the outbox`,
          30_000,
        );
        const burstArrived = [...arrived()].filter((entry) => entry.includes('killed burst'));
        console.log(
          [
            `[fault] relay killed mid-burst with the broker away · seed ${FAULT_SEED}`,
            `  burst     sent ${burstSent} events (${burstSent * 2} messages) · killed at ${acceptedBeforeKill} accepted (aimed at ${killAt})`,
            `  outbox    held ${left.length} messages at the kill · replayed ${String(replay.count)} · delivered ${burstArrived.length}`,
            `  lost before acceptance (in the kernel buffer or a lookup when killed; UDP has no acknowledgement): ${burstSent * 2 - left.length} messages`,
          ].join('\n'),
        );
        // Nothing arrived that the killed relay had not stored: no accepted message lost, none invented.
        expect(new Set(burstArrived)).toEqual(new Set(expected));

        // And the restarted relay goes on relaying.
        subscriber.clear();
        const ledger = await DeliveryLedger.open({
          title: 'after the restart',
          seed: FAULT_SEED,
          httpPort: Number(http.port),
          subscriber,
          channels: FAILED_RELOAD_CHANNELS,
        });
        const after = SteadyInput.start(Number(listening.port), 50, (n) => {
          const { key, datagram } = failedReload('after restart', n);
          ledger.record(key);
          return datagram;
        });
        await waitUntil(() => after.sent >= 50, 'the input after the restart', 10_000);
        await after.stop();
        expectNothingLost(await ledger.settle(30_000));
      } finally {
        await second.kill();
      }
    },
    BURST_SECONDS * 1000 + 120_000,
  );
});
