import { formatSchedulerDatagram } from '../../lib/qlik/log-appender-datagram.js';
import { readDatagrams } from '../support/datagram-fixtures.js';
import { metricValue, waitForMetric } from '../support/relay-metrics-scrape.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';

const [FAILED = ''] = readDatagrams('task-failed');
const DUPLICATE_LINE = 'relay_dropped_total{component="udp:tasks",reason="duplicate"} 1';
const duplicates = { component: 'udp:tasks', reason: 'duplicate' };

/** An aborted datagram carrying the execution id of `FAILED`. */
const ABORTED_SAME_EXECUTION = formatSchedulerDatagram({
  kind: 'task.aborted',
  hostName: 'qs-node1.corp.example.com',
  taskName: 'Reload - Sales Dashboard',
  appName: 'Sales Dashboard',
  user: 'CORP\\qlikadmin',
  taskId: '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10',
  appId: '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d',
  logTimeStamp: '2025-03-14 06:00:42,000',
  executionId: 'a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7',
});

describe('de-duplication of task events by kind and execution id', () => {
  const suite = useTaskEventsEnvironment();

  it('publishes a datagram sent twice once, and counts the second as a duplicate', async () => {
    const relay = await suite.start();
    await relay.send(FAILED, FAILED);
    await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    const metrics = await waitForMetric(
      relay.httpPort,
      'relay_dropped_total',
      duplicates,
      (v) => v >= 1,
    );
    expect(metrics).toContain(DUPLICATE_LINE);
    // One lookup, and one pair of messages besides `start`: the copy never went further.
    expect(metricValue(metrics, 'relay_task_enrichment_total')).toBe(1);
    expect(metricValue(metrics, 'relay_events_out_total', { pipeline: 'butler-task-events' })).toBe(
      3,
    );
    expect(suite.env.subscriber.payloads(TOPICS.failed)).toEqual(['Reload - Sales Dashboard']);
    expect(suite.env.subscriber.messages(TOPICS.failedFull)).toHaveLength(1);
  });

  it('logs the first duplicate at once and the rest at the latest when the relay stops', async () => {
    const relay = await suite.start();
    await relay.send(FAILED, FAILED, FAILED);
    await waitForMetric(relay.httpPort, 'relay_dropped_total', duplicates, (v) => v === 2);
    expect(relay.process.records('udp.dropped').map((r) => r.dropped)).toEqual([1]);
    expect(await relay.stop()).toBe(0);
    const logged = relay.process.records('udp.dropped');
    expect(logged.map((r) => [r.reason, r.dropped])).toEqual([
      ['duplicate', 1],
      ['duplicate', 1],
    ]);
  });

  it('tells a failed from an aborted event of the same execution (Butler drops the second)', async () => {
    const relay = await suite.start();
    await relay.send(FAILED, ABORTED_SAME_EXECUTION);
    await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    await suite.env.subscriber.waitFor(TOPICS.abortedFull, 1);
    expect(metricValue(await relay.metrics(), 'relay_dropped_total', duplicates)).toBe(0);
  });

  it('publishes every copy when de-duplication is off', async () => {
    const relay = await suite.start({ udpServerConfig: { deduplication: { enable: false } } });
    await relay.send(FAILED, FAILED);
    await suite.env.subscriber.waitFor(TOPICS.failedFull, 2);
    expect(suite.env.subscriber.payloads(TOPICS.failed)).toEqual([
      'Reload - Sales Dashboard',
      'Reload - Sales Dashboard',
    ]);
    expect(metricValue(await relay.metrics(), 'relay_dropped_total', duplicates)).toBe(0);
  });

  it('publishes a resend again once the TTL has passed', async () => {
    const ttlMinutes = 0.01; // 600 ms; the schema takes any number above 0
    const relay = await suite.start({
      udpServerConfig: { deduplication: { enable: true, ttlMinutes } },
    });
    await relay.send(FAILED);
    await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    // The TTL counts from when the messages were handed on, which is before they arrived here.
    await new Promise((resolve) => setTimeout(resolve, ttlMinutes * 60_000 + 100));
    await relay.send(FAILED);
    await suite.env.subscriber.waitFor(TOPICS.failedFull, 2);
    expect(suite.env.subscriber.payloads(TOPICS.failed)).toHaveLength(2);
    expect(metricValue(await relay.metrics(), 'relay_dropped_total', duplicates)).toBe(0);
  });
});
