import { formatSchedulerDatagram } from '../../lib/qlik/log-appender-datagram.js';
import { expectedFullPayload, taskEventId } from '../support/butler-task-payload.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';

const TIMEOUT_MS = 300;
let executions = 0;

/** A new execution of the fixture's reload task: its own execution id, so never a duplicate. */
function datagram(kind: 'failed' | 'aborted'): string {
  executions += 1;
  return formatSchedulerDatagram({
    kind: `task.${kind}`,
    hostName: 'qs-node1.corp.example.com',
    taskName: 'Reload - Sales Dashboard',
    appName: 'Sales Dashboard',
    user: 'INTERNAL\\sa_scheduler',
    taskId: taskFullFixture().id,
    appId: appFullFixture().id,
    logTimeStamp: '2025-03-20 06:00:00,000',
    executionId: `0a0b0c0d-0000-4000-8000-${String(executions).padStart(12, '0')}`,
  });
}

interface Enrichment {
  relay_enrichment?: { status: string; reason: string };
}

describe('alerts while the Repository Service is unavailable', () => {
  const suite = useTaskEventsEnvironment({
    // No cache, so that every event asks the service; two attempts keep the test short.
    sharedRelay: { relay: { qrs: { timeoutMs: TIMEOUT_MS, attempts: 2, cacheTtlMs: 0 } } },
  });
  afterEach(async () => {
    await suite.env.qrs.restore();
  });

  /**
   * Sends a datagram of `kind` and expects its basic message and a full message that says why
   * enrichment failed, with every Repository Service field left empty. Resolves with the reason.
   */
  async function expectUnenrichedAlert(kind: 'failed' | 'aborted'): Promise<string> {
    const sent = datagram(kind);
    await suite.relay.send(sent);
    const [basicTopic, fullTopic] =
      kind === 'failed' ? [TOPICS.failed, TOPICS.failedFull] : [TOPICS.aborted, TOPICS.abortedFull];
    const [basic] = await suite.env.subscriber.waitFor(basicTopic, 1, 10_000);
    const [full] = await suite.env.subscriber.waitFor(fullTopic, 1, 10_000);
    expect(basic?.payload).toBe('Reload - Sales Dashboard');
    const { relay_enrichment } = JSON.parse(full?.payload ?? '{}') as Enrichment;
    expect(relay_enrichment?.status).toBe('failed');
    const reason = relay_enrichment?.reason ?? '';
    expect(full?.payload).toBe(
      expectedFullPayload(sent, {
        kind,
        relay: { eventId: taskEventId(kind, sent), enrichmentFailure: reason },
      }),
    );
    return reason;
  }

  /** After `restore()`: a new event is enriched completely again. */
  async function expectEnrichedAlert(): Promise<void> {
    suite.env.subscriber.clear();
    const sent = datagram('failed');
    await suite.relay.send(sent);
    const [full] = await suite.env.subscriber.waitFor(TOPICS.failedFull, 1, 10_000);
    expect(full?.payload).toBe(
      expectedFullPayload(sent, {
        kind: 'failed',
        task: taskFullFixture(),
        app: appFullFixture(),
        relay: { eventId: taskEventId('failed', sent) },
      }),
    );
  }

  it('still alerts when the service answers 500, and enriches again once it recovers', async () => {
    suite.env.qrs.fail('*', 500);
    const reason = await expectUnenrichedAlert('aborted');
    expect(reason).toMatch(
      /^task lookup failed: QRS GET \/qrs\/task\/full\?filter=.* answered HTTP 500/,
    );
    expect(reason).toMatch(
      /; app lookup failed: QRS GET \/qrs\/app\/full\?filter=.* answered HTTP 500/,
    );
    expect(reason).toContain('(after 2 attempts)');
    await suite.env.qrs.restore();
    await expectEnrichedAlert();
  });

  it('still alerts when the service is slower than Relay.qrs.timeoutMs', async () => {
    suite.env.qrs.delay(TIMEOUT_MS * 10);
    const reason = await expectUnenrichedAlert('failed');
    expect(reason).toMatch(/^task lookup failed: .*timed out after 300 ms/);
    await suite.env.qrs.restore();
    await expectEnrichedAlert();
  });

  it('still alerts when the service refuses connections', async () => {
    await suite.env.qrs.refuseConnections();
    const reason = await expectUnenrichedAlert('failed');
    expect(reason).toMatch(/^task lookup failed: .*failed: connect ECONNREFUSED/);
    await suite.env.qrs.restore();
    await expectEnrichedAlert();
  });

  it('still alerts when the task is unknown to the service', async () => {
    suite.env.qrs.fail('/qrs/app/full', 404);
    const sent = formatSchedulerDatagram({
      hostName: 'qs-node1',
      taskName: 'Deleted task',
      appName: 'Sales Dashboard',
      user: 'INTERNAL\\sa_scheduler',
      taskId: '99999999-9999-4999-8999-999999999999',
      appId: appFullFixture().id,
      logTimeStamp: '2025-03-20 06:00:00,000',
      executionId: '99999999-0000-4000-8000-000000000001',
    });
    await suite.relay.send(sent);
    const [full] = await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    expect(JSON.parse(full?.payload ?? '{}')).toMatchObject({
      taskName: 'Deleted task',
      qs_taskMetadata: {},
      relay_enrichment: {
        status: 'failed',
        reason:
          'task 99999999-9999-4999-8999-999999999999 not found in the Repository Service; ' +
          `app ${appFullFixture().id} not found in the Repository Service`,
      },
    });
  });
});
