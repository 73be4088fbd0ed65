import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLogAppenderDatagram } from '../../lib/qlik/parse-log-appender-datagram.js';
import type { LogAppenderEvent } from '../../lib/qlik/log-appender-events.js';
import { runCli } from '../support/cli-run.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import {
  TOPICS,
  TaskRelay,
  startTaskEventsEnvironment,
  taskRelayConfig,
  type TaskEventsEnvironment,
} from '../support/task-relay.js';
import { UdpReceiver } from '../support/udp-receiver.js';
import { freeUdpPort } from '../support/udp-sender.js';

const TASK_ID = '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10';
const APP_ID = '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LOG4NET_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}$/;

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'relay-cli-')), 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Reads a received datagram as the relay would; fails the test when the relay would drop it. */
function parsed(bytes: Buffer): LogAppenderEvent {
  const sender = { address: '127.0.0.1', port: 1, family: 'IPv4' } as const;
  const result = parseLogAppenderDatagram(bytes, sender, 'tasks', 0);
  if ('problem' in result) throw new Error(`the relay would drop it: ${result.problem.detail}`);
  return result.event;
}

describe('sense-mqtt-relay send-test-event', () => {
  let receiver: UdpReceiver;
  let received = 0;

  beforeAll(async () => {
    receiver = await UdpReceiver.bind();
  });
  afterAll(async () => {
    await receiver.close();
  });

  /** Runs the command against the receiver and resolves with what it printed and what arrived. */
  async function send(args: string[]) {
    const result = await runCli(['send-test-event', '--to', `127.0.0.1:${receiver.port}`, ...args]);
    expect(result).toMatchObject({ code: 0, err: '' });
    received += 1;
    const { bytes } = await receiver.nth(received);
    return { ...result, bytes, event: parsed(bytes) };
  }

  it.each([
    ['failed', 'task.failed', '/scheduler-task-failed/', 'Max retries reached'],
    ['aborted', 'task.aborted', '/scheduler-task-aborted/', 'Execution State Change to Aborting'],
    [
      'success',
      'task.success',
      '/scheduler-task-success/',
      'Execution State Change to FinishedSuccess',
    ],
    [
      'distribute',
      'task.distribute',
      '/scheduler-distribute/',
      'Exiting execute of Distribute task request.',
    ],
  ])('--type %s sends a datagram the relay reads as %s', async (type, kind, tag, message) => {
    const { out, bytes, event } = await send(['--type', type]);
    expect(event.kind).toBe(kind);
    expect(event.data).toMatchObject({
      tag,
      logMessage: message,
      recovered: false,
      cleaned: false,
    });
    if (event.kind === 'engine.reload-failed') throw new Error('not a scheduler event');
    const { data } = event;
    expect(data.taskId).toMatch(GUID);
    expect(data.executionId).toMatch(GUID);
    expect(data.logTimeStamp).toMatch(LOG4NET_DATE);
    // Distribute tasks have no app, as in the real datagram.
    expect(data.appId).toMatch(type === 'distribute' ? /^$/ : GUID);
    expect(out).toContain(`sent a ${kind} test event to 127.0.0.1:${receiver.port}`);
    expect(out).toContain(bytes.toString('utf8'));
  });

  it('uses the ids and name given, and a fresh execution id each time', async () => {
    const args = ['--type', 'failed', '--task-id', TASK_ID, '--app-id', APP_ID];
    const first = await send([...args, '--task-name', 'Check from the admin']);
    const second = await send(args);
    expect(first.event.data).toMatchObject({
      taskId: TASK_ID,
      appId: APP_ID,
      taskName: 'Check from the admin',
    });
    expect(first.event.id).not.toBe(second.event.id);
    expect(first.out).not.toContain('made up'); // no hint when the task is a real one
  });

  it('sends to the listener of the config when --to is left out (0.0.0.0 -> 127.0.0.1)', async () => {
    const port = await freeUdpPort();
    const listener = await UdpReceiver.bind(port);
    try {
      const file = configFile(
        `Butler:\n  udpServerConfig:\n    enable: true\n    serverHost: 0.0.0.0\n    portTaskFailure: ${port}\n`,
      );
      const { code, out } = await runCli(['send-test-event', '--type', 'aborted', '-c', file]);
      expect(code).toBe(0);
      expect(out).toContain(`to 127.0.0.1:${port}`);
      expect(parsed((await listener.nth(1)).bytes).kind).toBe('task.aborted');
    } finally {
      await listener.close();
    }
  });

  it.each([
    [['--type', 'reload'], /unknown event type "reload"; expected one of failed, aborted/],
    [[], /send-test-event needs --type failed\|aborted\|success\|distribute/],
    [['--type', 'failed', '--to', 'localhost'], /--to "localhost" is not host:port/],
    [['--type', 'failed', '--to', 'localhost:0'], /--to "localhost:0" is not host:port/],
    [['--type', 'failed', '--to', 'host:70000'], /is not host:port/],
    [['--type', 'failed', '--to', '[sense1]:9998'], /is not host:port/],
    [['--type', 'failed', '--task-id', 'abc'], /--task-id "abc" is not a GUID/],
    [['--type', 'failed', '--app-id', '7c1e5a2d'], /--app-id "7c1e5a2d" is not a GUID/],
    [['--type', 'failed', '--task-name', 'a;b'], /--task-name must not contain ";"/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { code, err } = await runCli(['send-test-event', ...args]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('--help');
  });

  it('exits 2 when its options come with another command, and lists itself in --help', async () => {
    const misplaced = await runCli(['check-config', '--type', 'failed']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.err).toContain('--type belongs to the send-test-event command');
    const help = await runCli(['--help']);
    for (const word of [
      'send-test-event',
      '--type',
      '--to',
      '--task-id',
      '--app-id',
      '--task-name',
    ]) {
      expect(help.out).toContain(word);
    }
  });

  it('exits 2 when the config listens on port 0, and 1 when the datagram cannot be sent', async () => {
    const anyPort = configFile('Butler:\n  udpServerConfig:\n    portTaskFailure: 0\n');
    const zero = await runCli(['send-test-event', '--type', 'failed', '-c', anyPort]);
    expect(zero.code).toBe(2);
    expect(zero.err).toContain('portTaskFailure is 0');
    const unknownHost = await runCli([
      'send-test-event',
      '--type',
      'failed',
      '--to',
      'sense.invalid:9998',
    ]);
    expect(unknownHost.code).toBe(1);
    expect(unknownHost.err).toContain('could not send the test event to sense.invalid:9998');
  });
});

describe('send-test-event against a running relay', () => {
  let env: TaskEventsEnvironment;
  let relay: TaskRelay;

  beforeAll(async () => {
    env = await startTaskEventsEnvironment();
    const port = await freeUdpPort();
    relay = await TaskRelay.start(
      taskRelayConfig(env, { udpServerConfig: { portTaskFailure: port } }),
    );
  });
  afterAll(async () => {
    await relay?.kill();
    await env?.close();
  });

  it('makes the relay publish the failed-task messages, enriched for a real task', async () => {
    // The relay's own config file says where to send.
    const { code } = await runCli([
      'send-test-event',
      '--config',
      relay.process.configFile,
      '--type',
      'failed',
      '--task-id',
      TASK_ID,
      '--app-id',
      APP_ID,
      '--task-name',
      'Alert check from the admin',
    ]);
    expect(code).toBe(0);
    const [basic] = await env.subscriber.waitFor(TOPICS.failed, 1);
    const [full] = await env.subscriber.waitFor(TOPICS.failedFull, 1);
    expect(basic?.payload).toBe('Alert check from the admin');
    const payload = JSON.parse(full?.payload ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({
      taskName: 'Alert check from the admin',
      taskId: TASK_ID,
      appId: APP_ID,
      logMessage: 'Max retries reached',
      qs_taskMetadata: taskFullFixture(),
      qs_appTags: appFullFixture().tags.map((tag) => tag.name),
    });
    expect(payload).not.toHaveProperty('relay_enrichment');
  });

  it('makes the relay publish an aborted alert for a made-up task, saying the lookup failed', async () => {
    const { code, out } = await runCli([
      'send-test-event',
      '--type',
      'aborted',
      '--to',
      `127.0.0.1:${relay.udpPort}`,
    ]);
    expect(code).toBe(0);
    expect(out).toContain('made up');
    const [full] = await env.subscriber.waitFor(TOPICS.abortedFull, 1);
    expect(JSON.parse(full?.payload ?? '{}')).toMatchObject({
      taskName: 'sense-mqtt-relay test aborted task',
      relay_enrichment: {
        status: 'failed',
        reason: expect.stringMatching(/not found in the Repository Service/),
      },
    });
  });
});
