import { readDatagrams } from '../support/datagram-fixtures.js';
import { metricValue } from '../support/relay-metrics-scrape.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import { schedulerFields } from '../support/task-event-fixtures.js';
import { someNumber } from '../support/typed-matchers.js';

const SUCCESS = readDatagrams('task-success'); // current tag, the sample XML's `//` typo, legacy
const DISTRIBUTE = readDatagrams('task-distribute');
const ENGINE = readDatagrams('engine-reload-failed');

/** A user's pipeline on the same listener as the built-in one, routing the other event kinds. */
const OTHER_EVENTS_PIPELINE = {
  name: 'other-task-events',
  source: 'log-appender',
  steps: [{ filter: { kind: ['task.success', 'task.distribute', 'engine.reload-failed'] } }],
  routes: [
    { topic: 'site/task_success', payload: '{{data.taskName}}', when: { kind: 'task.success' } },
    { topic: 'site/task_success_full', when: { kind: 'task.success' } },
    { topic: 'site/distribute', when: { kind: 'task.distribute' } },
    { topic: 'site/engine_reload_failed', when: { kind: 'engine.reload-failed' } },
  ],
};

describe('success, distribute and engine events', () => {
  const suite = useTaskEventsEnvironment();

  it('are not published by the built-in pipeline, but reach a YAML pipeline as typed events', async () => {
    const relay = await suite.start({ relay: { pipelines: [OTHER_EVENTS_PIPELINE] } });
    await relay.send(...SUCCESS, ...DISTRIBUTE, ...ENGINE);
    const { subscriber } = suite.env;

    await subscriber.waitFor('site/task_success', SUCCESS.length);
    await subscriber.waitFor('site/task_success_full', SUCCESS.length);
    await subscriber.waitFor('site/distribute', DISTRIBUTE.length);
    await subscriber.waitFor('site/engine_reload_failed', ENGINE.length);
    expect(subscriber.payloads('site/task_success')).toEqual(
      SUCCESS.map((d) => schedulerFields(d).taskName),
    );
    const successData = subscriber.payloads('site/task_success_full').map((p) => JSON.parse(p));
    expect(successData.map((data: { tag: string }) => data.tag)).toEqual([
      '/scheduler-task-success/',
      '/scheduler-task-success//',
      '/scheduler-reloadtask-success/',
    ]);
    expect(successData[0]).toEqual({
      ...schedulerFields(SUCCESS[0] as string),
      cleaned: false,
      recovered: false,
      // The sender's port is ephemeral.
      sender: { address: '127.0.0.1', port: someNumber(), family: 'IPv4' },
    });

    const distributed = subscriber.payloads('site/distribute').map((p) => JSON.parse(p));
    expect(distributed.map((d: { taskName: string }) => d.taskName)).toEqual([
      'Distribute Sales Dashboard to cloud',
      'Distribute Finance KPIs',
    ]);
    // Surplus fields stay in the log message, flagged, where Butler would cut them off.
    expect(distributed[1]).toMatchObject({
      logMessage: 'Exiting execute of Distribute task request.;extra;fields;are;ignored',
      recovered: true,
    });

    const [engine] = subscriber.payloads('site/engine_reload_failed').map((p) => JSON.parse(p));
    expect(engine).toMatchObject({
      tag: '/engine-reload-failed/',
      hostName: 'qs-node2.corp.example.com',
      appId: '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d',
      sessionId: '3f2e1d0c-9b8a-4776-8655-443322110099',
      userDirectory: 'CORP',
      userId: 'jdoe',
      logMessage: 'Reload failed in app',
    });

    // Both pipelines read the one listener: the built-in one saw every datagram as well, and
    // said nothing but `start`, without asking the Repository Service.
    const metrics = await relay.metrics();
    const datagrams = SUCCESS.length + DISTRIBUTE.length + ENGINE.length;
    expect(metricValue(metrics, 'relay_events_in_total', { pipeline: 'butler-task-events' })).toBe(
      1 + datagrams,
    );
    expect(metricValue(metrics, 'relay_events_out_total', { pipeline: 'butler-task-events' })).toBe(
      1,
    );
    expect(suite.env.qrs.requests).toEqual([]);
    for (const topic of [TOPICS.failed, TOPICS.failedFull, TOPICS.aborted, TOPICS.abortedFull]) {
      expect(subscriber.messages(topic)).toEqual([]);
    }
    expect(metricValue(metrics, 'relay_dropped_total', { component: 'udp:tasks' })).toBe(0);
  });
});
