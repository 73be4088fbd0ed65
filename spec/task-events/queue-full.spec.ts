import { formatSchedulerDatagram } from '../../lib/qlik/log-appender-datagram.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { metricValue, waitForMetric } from '../support/relay-metrics-scrape.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import { schedulerFields } from '../support/task-event-fixtures.js';

const SENT = 8;
const QRS_DELAY_MS = 1000;

/** `SENT` failures of the fixture's reload task, each its own execution. */
const DATAGRAMS = Array.from({ length: SENT }, (_, n) =>
  formatSchedulerDatagram({
    hostName: 'qs-node1.corp.example.com',
    taskName: `Reload - Sales Dashboard #${n}`,
    appName: 'Sales Dashboard',
    user: 'INTERNAL\\sa_scheduler',
    taskId: taskFullFixture().id,
    appId: appFullFixture().id,
    logTimeStamp: '2025-03-21 06:00:00,000',
    executionId: `0f0f0f0f-0000-4000-8000-${String(n).padStart(12, '0')}`,
  }),
);
const queueFull = { component: 'udp:tasks', reason: 'queue-full' };

describe('a full task event queue', () => {
  const suite = useTaskEventsEnvironment();

  it('refuses what does not fit, counts each refusal, loses nothing it accepted, and takes a refused event when it comes again', async () => {
    const relay = await suite.start({
      udpServerConfig: { messageQueue: { maxConcurrent: 1, maxSize: 1 } },
      relay: { qrs: { cacheTtlMs: 0 } },
    });
    suite.env.qrs.delay(QRS_DELAY_MS); // one event holds the only slot for a second
    await relay.send(...DATAGRAMS);

    // Every event is published, refused, or still in flight; wait until none is in flight.
    const delivered = (): number => suite.env.subscriber.messages(TOPICS.failed).length;
    const metrics = await waitForMetric(
      relay.httpPort,
      'relay_dropped_total',
      queueFull,
      (refused) => refused + delivered() === SENT,
      15_000,
    );
    const refused = metricValue(metrics, 'relay_dropped_total', queueFull);
    expect(refused).toBeGreaterThan(0);
    expect(delivered()).toBeGreaterThanOrEqual(2); // the one running and the one waiting

    await suite.env.subscriber.waitFor(TOPICS.failedFull, delivered());
    expect(suite.env.subscriber.messages(TOPICS.failedFull)).toHaveLength(delivered());
    expect(metricValue(metrics, 'relay_dropped_total')).toBe(refused); // nothing else dropped
    expect(metricValue(metrics, 'relay_task_enrichment_total')).toBe(delivered());
    expect(
      metricValue(metrics, 'relay_pipeline_queue_depth', { pipeline: 'butler-task-events' }),
    ).toBe(0);
    // Which events were refused is up to timing; the published ones are whole and distinct.
    const names = suite.env.subscriber.payloads(TOPICS.failed);
    expect(new Set(names).size).toBe(names.length);

    const [warning] = relay.process.records('udp.dropped').filter((r) => r.reason === 'queue-full');
    expect(warning?.detail).toBe('the task event queue is full (1 waiting)');
    expect(relay.process.records('pipeline.backpressure')).not.toHaveLength(0);

    // A refused event was never taken: sent again, it goes out; a published one is a duplicate.
    suite.env.qrs.delay(0);
    const published = new Set(names);
    const wasPublished = (datagram: string) => published.has(schedulerFields(datagram).taskName);
    for (const datagram of DATAGRAMS.filter((d) => !wasPublished(d))) {
      await relay.send(datagram);
      const { taskName } = schedulerFields(datagram);
      await suite.env.subscriber.waitForMessage(TOPICS.failed, (m) => m.payload === taskName);
    }
    await relay.send(DATAGRAMS.find(wasPublished) as string);
    await waitForMetric(
      relay.httpPort,
      'relay_dropped_total',
      { reason: 'duplicate' },
      (v) => v === 1,
    );
    expect(suite.env.subscriber.messages(TOPICS.failed)).toHaveLength(SENT);
  });
});
