import { readDatagrams } from '../support/datagram-fixtures.js';
import { metricValue, waitForMetric } from '../support/relay-metrics-scrape.js';
import { seedSite } from '../support/sense-site.js';
import { TOPICS, siteTaskMessages, useTaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';

const FAILED = readDatagrams('task-failed').slice(0, 3); // the reload tasks
const ABORTED = readDatagrams('task-aborted');
const distinctSorted = (values: readonly string[]): string[] => [...new Set(values)].sort();

describe('task alerts during a broker outage', () => {
  // A persistent subscriber session on a persistent broker: what the relay publishes right
  // after the restart reaches the subscriber even before it has reconnected.
  const suite = useTaskEventsEnvironment({
    mosquitto: { persistence: true },
    subscriber: {
      clientId: 'task-outage-subscriber',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    },
    seed: seedSite,
  });

  it('are held while the broker is away and all arrive once it is back', async () => {
    const relay = await suite.start();
    await suite.env.subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start');

    await suite.env.broker.stop();
    await relay.process.waitForLog('mqtt.disconnected');
    await relay.send(...FAILED, ...ABORTED);
    const events = FAILED.length + ABORTED.length;
    // Enriched and handed to the publishers while the broker is still down.
    await waitForMetric(relay.httpPort, 'relay_task_enrichment_total', {}, (v) => v === events);

    await suite.env.broker.start();
    await waitUntil(() => relay?.process.records('mqtt.connected').length === 2, 'the reconnect');
    const { subscriber } = suite.env;
    for (const [topic, count] of [
      [TOPICS.failed, FAILED.length],
      [TOPICS.failedFull, FAILED.length],
      [TOPICS.aborted, ABORTED.length],
      [TOPICS.abortedFull, ABORTED.length],
    ] as const) {
      await subscriber.waitFor(topic, count, 15_000);
    }

    // QoS 1 allows a copy after a lost acknowledgement, so compare what arrived, not how often.
    for (const [topic, expected] of siteTaskMessages(FAILED, ABORTED)) {
      expect(distinctSorted(subscriber.payloads(topic))).toEqual(distinctSorted(expected));
    }
    expect(metricValue(await relay.metrics(), 'relay_dropped_total')).toBe(0);
  });
});
