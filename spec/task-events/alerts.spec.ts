import { formatSchedulerDatagram } from '../../lib/qlik/log-appender-datagram.js';
import { expectedFullPayload } from '../support/butler-task-payload.js';
import { readDatagrams } from '../support/datagram-fixtures.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { metricValue, waitForMetric } from '../support/relay-metrics-scrape.js';
import { SITE, nonReloadAlertDatagrams, seedSite } from '../support/sense-site.js';
import { TestSubscriber } from '../support/subscriber.js';
import {
  TOPICS,
  siteTaskMessages,
  useTaskEventsEnvironment,
  type TaskEventsEnvironment,
} from '../support/task-relay.js';

const FAILED = readDatagrams('task-failed'); // three reload tasks, then a preload task
const ABORTED = readDatagrams('task-aborted');
/** The alias tag no shipped XML uses, for the inventory task. */
const FAILED_ALIAS = formatSchedulerDatagram({
  tag: '/scheduler-reloadtask-failed/',
  hostName: 'qs-node3.corp.example.com',
  taskName: SITE.inventoryTask.name,
  appName: SITE.inventoryApp.name,
  user: 'CORP\\jdoe',
  taskId: SITE.inventoryTask.id,
  appId: SITE.inventoryApp.id,
  logTimeStamp: '2025-03-16 11:05:00,001',
  executionId: 'e5d4c3b2-a1f0-4e9d-8c7b-6a5f4e3d2c1b',
});

/** Butler's bytes for the first failed datagram of facts 2.8, written out (facts 3.3). */
const BUTLER_FAILED_FULL =
  String.raw`{"hostName":"qs-node1.corp.example.com","user":"INTERNAL\\sa_scheduler","taskName":"Reload - Sales Dashboard","taskId":"2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10","appName":"Sales Dashboard","appId":"7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d","logTimeStamp":"2025-03-14 06:00:41,512","logLevel":"ERROR","executionId":"a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7","logMessage":"Max retries reached. Task will not be retried.","qs_appTags":["Finance","Daily"],"qs_appCustomProperties":[{"name":"AppOwnerTeam","value":"BI Core"}],"qs_taskTags":["Butler - send alerts"],"qs_taskCustomProperties":[{"name":"Butler_FailedTaskAlertEmail","value":"Send alert"}],"qs_taskMetadata":` +
  JSON.stringify(taskFullFixture()) +
  '}';

const sorted = (values: readonly string[]): string[] => [...values].sort();

describe('failed and aborted reload tasks, from datagram to MQTT', () => {
  const suite = useTaskEventsEnvironment({ seed: seedSite });

  it('publishes the task name and the full JSON for each reload task, and nothing for other task types', async () => {
    const relay = await suite.start();
    const reloadFailed = [...FAILED.slice(0, 3), FAILED_ALIAS];
    const silent = [FAILED[3] as string, ...nonReloadAlertDatagrams()];
    await relay.send(...reloadFailed, ...ABORTED, ...silent);

    const { subscriber } = suite.env;
    await subscriber.waitFor(TOPICS.failedFull, reloadFailed.length);
    await subscriber.waitFor(TOPICS.abortedFull, ABORTED.length);
    // Different tasks may overtake each other in enrichment, so compare without order.
    for (const [topic, expected] of siteTaskMessages(reloadFailed, ABORTED)) {
      expect(sorted(subscriber.payloads(topic))).toEqual(sorted(expected));
    }
    for (const topic of [TOPICS.failed, TOPICS.failedFull, TOPICS.aborted, TOPICS.abortedFull]) {
      expect(subscriber.messages(topic).every((m) => !m.retain)).toBe(true);
    }

    // Every event was looked up; only the reload tasks produced messages (plus `start`).
    const all = reloadFailed.length + ABORTED.length + silent.length;
    const metrics = await waitForMetric(
      relay.httpPort,
      'relay_task_enrichment_total',
      {},
      (v) => v === all,
    );
    const reloadEvents = reloadFailed.length + ABORTED.length;
    expect(metricValue(metrics, 'relay_events_out_total', { pipeline: 'butler-task-events' })).toBe(
      1 + 2 * reloadEvents,
    );
    expect(metricValue(metrics, 'relay_task_enrichment_total', { outcome: 'complete' })).toBe(
      reloadEvents,
    );
  });

  it("keeps Butler's key order: qs_appMetadata only in the aborted message, relay_eventId last", async () => {
    const relay = await suite.start();
    await relay.send(FAILED[0] as string, ABORTED[0] as string);
    const [failed] = await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    const [aborted] = await suite.env.subscriber.waitFor(TOPICS.abortedFull, 1);

    expect(failed?.payload).toBe(
      `${BUTLER_FAILED_FULL.slice(0, -1)},"relay_eventId":"task.failed:a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7"}`,
    );
    const butlerKeys = Object.keys(JSON.parse(BUTLER_FAILED_FULL) as object).slice(0, -1);
    expect(Object.keys(JSON.parse(aborted?.payload ?? '{}') as object)).toEqual([
      ...butlerKeys,
      'qs_appMetadata',
      'qs_taskMetadata',
      'relay_eventId',
    ]);
  });

  it("gives Butler's bytes exactly with Relay.taskEvents.relayFields: false", async () => {
    const relay = await suite.start({ relay: { taskEvents: { relayFields: false } } });
    const [failed, aborted] = [FAILED[0] as string, ABORTED[0] as string];
    await relay.send(failed, aborted);
    const [failedFull] = await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    const [abortedFull] = await suite.env.subscriber.waitFor(TOPICS.abortedFull, 1);
    expect(failedFull?.payload).toBe(BUTLER_FAILED_FULL);
    expect(abortedFull?.payload).toBe(
      expectedFullPayload(aborted, {
        kind: 'aborted',
        task: taskFullFixture(),
        app: appFullFixture(),
      }),
    );
    expect(abortedFull?.payload).toContain(
      `,"qs_appMetadata":${JSON.stringify(appFullFixture())},`,
    );
  });

  it('says start, retained, on the server status topic when listening, and stop at shutdown', async () => {
    const relay = await suite.start();
    await suite.env.subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start');
    await expectRetained(suite.env, TOPICS.serverStatus, 'start');

    expect(await relay.stop()).toBe(0);
    await suite.env.subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'stop');
    await expectRetained(suite.env, TOPICS.serverStatus, 'stop');
  });
});

/** A subscriber that connects now is handed `payload` as the retained message of `topic`. */
async function expectRetained(env: TaskEventsEnvironment, topic: string, payload: string) {
  const late = await TestSubscriber.connect(env.broker.url, [topic]);
  try {
    const [retained] = await late.waitFor(topic, 1);
    expect(retained).toMatchObject({ payload, retain: true });
  } finally {
    await late.close();
  }
}
