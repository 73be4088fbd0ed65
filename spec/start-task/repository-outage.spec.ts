import type { ReceivedMessage } from '../support/subscriber.js';
import { waitUntil } from '../support/wait-until.js';
import { startTaskEventsEnvironment, type TaskEventsEnvironment } from '../support/task-relay.js';
import {
  REPLY_TOPIC,
  START_TOPIC,
  StartTaskRelay,
  addTask,
  startTaskConfig,
  startsOf,
} from './support/start-task-relay.js';

const START = '/qrs/task/{id}/start' as const;

describe('a start command while the Repository Service cannot answer', () => {
  let env: TaskEventsEnvironment;
  const relays: StartTaskRelay[] = [];

  beforeAll(async () => {
    env = await startTaskEventsEnvironment();
  });
  afterEach(async () => {
    while (relays.length > 0) await relays.pop()?.kill();
    await env.qrs.restore();
  });
  afterAll(async () => {
    await env.close();
  });

  async function startRelay(options: Parameters<typeof startTaskConfig>[1] = {}) {
    const relay = await StartTaskRelay.start(startTaskConfig(env, options));
    relays.push(relay);
    return relay;
  }

  const publish = (taskId: string): Promise<unknown> =>
    env.subscriber.client.publishAsync(START_TOPIC, taskId, { qos: 1 });

  const startedReply = (taskId: string): Promise<ReceivedMessage> =>
    env.subscriber.waitForMessage(
      REPLY_TOPIC,
      (m) => m.payload.includes(taskId) && m.payload.includes('"started":true'),
      15_000,
    );

  it.each([
    ['refuses connections', () => env.qrs.refuseConnections()],
    ['answers 503', () => void env.qrs.fail(START, 503)],
  ])(
    'is held unacknowledged while the service %s, and carried out once it is back',
    async (_how, breakIt) => {
      const relay = await startRelay();
      const taskId = addTask(env.qrs);
      await breakIt();
      await publish(taskId);
      // Tried twice and still held: a failure is not an answer.
      await waitUntil(
        () =>
          relay.process.records('start-task.retry').filter((r) => r.taskId === taskId).length >= 2,
        'two failed tries',
        10_000,
      );
      expect(await relay.metric('relay_mqtt_unacked_received')).toBe(1);
      expect(startsOf(env.qrs, taskId)).toBe(0);

      await env.qrs.restore();
      await startedReply(taskId);
      expect(startsOf(env.qrs, taskId)).toBe(1);
      expect(await relay.metric('relay_mqtt_unacked_received')).toBe(0);
      expect(await relay.metric('relay_task_start_retries_total')).toBeGreaterThanOrEqual(2);
    },
  );

  it('is redelivered to a relay restarted with the same client id after a SIGKILL, and carried out once', async () => {
    const session = { clientId: 'start-task-killed', clean: false };
    const first = await startRelay({ mqtt: session });
    const taskId = addTask(env.qrs);
    env.qrs.fail(START, 503);
    await publish(taskId);
    await first.process.waitForLog('start-task.retry', (r) => r.taskId === taskId);
    await first.kill(); // the command was never acknowledged

    await env.qrs.restore();
    const second = await startRelay({ mqtt: session });
    await startedReply(taskId);
    expect(startsOf(env.qrs, taskId)).toBe(1);
    expect(await second.metric('relay_task_starts_total', { outcome: 'started' })).toBe(1);
    expect(await second.metric('relay_mqtt_unacked_received')).toBe(0);
  });
});
