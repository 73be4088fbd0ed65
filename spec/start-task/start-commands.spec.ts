import fc from 'fast-check';
import { parseStartTaskPayload } from '../../lib/operators/start-task-payload.js';
import { taskFullFixture } from '../support/fake-qrs.js';
import type { ReceivedMessage } from '../support/subscriber.js';
import { startTaskEventsEnvironment, type TaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';
import {
  REPLY_TOPIC,
  START_TOPIC,
  StartTaskRelay,
  addTask,
  startTaskConfig,
  startsOf,
} from './support/start-task-relay.js';
import { someString } from '../support/typed-matchers.js';

interface Reply {
  taskId: string | null;
  started: boolean;
  outcome: string;
  reason?: string;
  status?: number;
  eventId: string;
}

const replyOf = (message: ReceivedMessage): Reply => JSON.parse(message.payload) as Reply;

describe('starting tasks from MQTT, through the relay process', () => {
  let env: TaskEventsEnvironment;
  let relay: StartTaskRelay;

  beforeAll(async () => {
    env = await startTaskEventsEnvironment();
    relay = await StartTaskRelay.start(startTaskConfig(env));
  });
  afterAll(async () => {
    await relay.kill();
    await env.close();
  });

  const publish = (payload: string | Buffer, retain = false): Promise<unknown> =>
    env.subscriber.client.publishAsync(START_TOPIC, payload, { qos: 1, retain });

  /** Resolves with the reply about `taskId` once it came. */
  const replyFor = async (taskId: string | null, test: (r: Reply) => boolean = () => true) =>
    replyOf(
      await env.subscriber.waitForMessage(
        REPLY_TOPIC,
        (m) => replyOf(m).taskId === taskId && test(replyOf(m)),
        10_000,
      ),
    );

  it('starts the task whose bare id arrives, as Butler does, and says so on the reply topic', async () => {
    const taskId = addTask(env.qrs);
    await publish(taskId);
    const reply = await replyFor(taskId);
    expect(reply).toEqual({
      taskId,
      started: true,
      outcome: 'started',
      eventId: someString(), // the relay's own id
    });
    expect(startsOf(env.qrs, taskId)).toBe(1);
    expect(env.qrs.requestsTo('/qrs/task/{id}/start').at(-1)?.method).toBe('POST');
  });

  it('takes the JSON forms: an object, a list of ids, a list of objects', async () => {
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map(() => addTask(env.qrs)) as [
      string,
      string,
      string,
      string,
      string,
    ];
    await publish(JSON.stringify({ taskId: a }));
    await publish(JSON.stringify([b, c]));
    await publish(JSON.stringify([{ taskId: d }, { taskId: e.toUpperCase() }]));
    const replies = await Promise.all([a, b, c, d, e].map((id) => replyFor(id)));
    expect(replies.every((r) => r.started)).toBe(true);
    // One command, one event id in all its replies.
    expect(replies[1]?.eventId).toBe(replies[2]?.eventId);
    expect(replies[3]?.eventId).toBe(replies[4]?.eventId);
    expect(new Set(replies.map((r) => r.eventId)).size).toBe(3);
    for (const id of [a, b, c, d, e]) expect(startsOf(env.qrs, id)).toBe(1);
  });

  it('answers a task the Repository Service does not know as not found, and acknowledges it', async () => {
    const unknown = '0e0e0e0e-0000-4000-8000-000000000404';
    await publish(unknown);
    const reply = await replyFor(unknown);
    expect(reply).toMatchObject({ started: false, outcome: 'not-found', status: 404 });
    expect(await relay.metric('relay_mqtt_unacked_received')).toBe(0);
  });

  it('ignores a retained start command, counting it, so a (re)subscribe cannot repeat a start', async () => {
    // A relay of its own, on a start topic of its own, subscribing after the command was retained.
    const topic = 'qliksense/start_task_retained';
    const retained = addTask(env.qrs);
    await env.subscriber.client.publishAsync(topic, retained, { qos: 1, retain: true });
    const late = await StartTaskRelay.start(
      startTaskConfig(env, { mqttConfig: { taskStartTopic: topic } }),
    );
    try {
      await waitUntil(async () => (await late.drops('retained')) === 1, 'a retained drop');
      const live = addTask(env.qrs);
      await env.subscriber.client.publishAsync(topic, live, { qos: 1 });
      await replyFor(live);
      expect(startsOf(env.qrs, retained)).toBe(0);
      expect(await late.metric('relay_mqtt_unacked_received')).toBe(0);
    } finally {
      await env.subscriber.client.publishAsync(topic, '', { qos: 1, retain: true }); // cleared
      await late.kill();
    }
  });

  it('counts every invalid payload (arbitrary bytes) as dropped, replies why, and keeps running', async () => {
    const sentBefore = await relay.drops('malformed');
    let sent = 0;
    const invalid = fc
      .uint8Array({ maxLength: 300 })
      .map((bytes) => Buffer.from(bytes))
      .filter((bytes) => !parseStartTaskPayload(bytes.toString('utf8'), { json: true }).valid);
    const samples = fc.sample(invalid, { numRuns: 150, seed: 20250321 });
    const alsoInvalid = [
      'not-a-task-id',
      `${taskFullFixture().id}x`,
      '{"taskId": 42}',
      '{"taskid": "2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10"}',
      '[]',
      '[1, 2]',
      '{"taskId": "2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10", "extra": true}',
      '{',
    ].map((text) => Buffer.from(text));
    for (const payload of [...samples, ...alsoInvalid]) {
      await publish(payload);
      sent += 1;
    }
    await waitUntil(
      async () => (await relay.drops('malformed')) === sentBefore + sent,
      `${sent} malformed drops`,
      20_000,
    );
    expect(relay.process.exitCode).toBeUndefined();
    const invalidReplies = (): ReceivedMessage[] =>
      env.subscriber.messages(REPLY_TOPIC).filter((m) => replyOf(m).taskId === null);
    // A reply is published after its drop is counted: wait for them, not only the counter.
    await waitUntil(() => invalidReplies().length >= sent, `${sent} replies`, 20_000);
    expect(replyOf(invalidReplies().at(-1) as ReceivedMessage)).toMatchObject({
      started: false,
      outcome: 'invalid',
      reason: expect.stringMatching(/not valid JSON/),
    });
    // Nothing is held: every invalid command was acknowledged.
    expect(await relay.metric('relay_mqtt_unacked_received')).toBe(0);
    expect(relay.process.records('start-task.dropped').length).toBeGreaterThan(0);
  });
});

describe('Butler.startTaskFilter applied to MQTT start commands', () => {
  let env: TaskEventsEnvironment;
  let relay: StartTaskRelay;

  beforeAll(async () => {
    env = await startTaskEventsEnvironment();
    relay = await StartTaskRelay.start(
      startTaskConfig(env, {
        startTaskFilter: {
          enable: true,
          allowTask: {
            taskId: ['0f0f0f0f-0000-4000-8000-000000000001'],
            tag: ['startable'],
            customProperty: [{ name: 'taskGroup', value: 'nightly' }],
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await relay.kill();
    await env.close();
  });

  it('starts listed, tagged and custom-property tasks only; the rest are refused with a reply', async () => {
    const byId = '0f0f0f0f-0000-4000-8000-000000000001';
    env.qrs.addTask({ ...taskFullFixture(), id: byId, tags: [], customProperties: [] });
    const byTag = addTask(env.qrs, { tags: [{ id: 't1', name: 'startable' }] });
    const byProperty = addTask(env.qrs, {
      customProperties: [{ value: 'nightly', definition: { id: 'd1', name: 'taskGroup' } }],
    });
    const other = addTask(env.qrs, {
      tags: [{ id: 't2', name: 'other' }],
      customProperties: [{ value: 'daily', definition: { id: 'd1', name: 'taskGroup' } }],
    });
    const publish = (payload: string): Promise<unknown> =>
      env.subscriber.client.publishAsync(START_TOPIC, payload, { qos: 1 });
    await publish(JSON.stringify([byId, byTag, byProperty, other]));
    const replies = await env.subscriber.waitFor(REPLY_TOPIC, 4, 10_000);
    expect(replies.map(replyOf).map(({ taskId, outcome }) => [taskId, outcome])).toEqual([
      [byId, 'started'],
      [byTag, 'started'],
      [byProperty, 'started'],
      [other, 'not-allowed'],
    ]);
    expect([byId, byTag, byProperty, other].map((id) => startsOf(env.qrs, id))).toEqual([
      1, 1, 1, 0,
    ]);
    expect(await relay.metric('relay_task_starts_total', { outcome: 'not-allowed' })).toBe(1);
  });
});
