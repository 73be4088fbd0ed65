import { startTaskEventsEnvironment, type TaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';
import {
  START_TOPIC,
  StartTaskRelay,
  addTask,
  startTaskConfig,
  startsOf,
} from './support/start-task-relay.js';

const COMMANDS = 20;

describe('two relays sharing the start commands (MQTT 5 shared subscription)', () => {
  let env: TaskEventsEnvironment;
  const relays: StartTaskRelay[] = [];

  beforeAll(async () => {
    env = await startTaskEventsEnvironment();
  });
  afterAll(async () => {
    for (const relay of relays) await relay.kill();
    await env.close();
  });

  it('starts every task exactly once, each command handled by one relay', async () => {
    const shared = { startTask: { sharedGroup: 'relays' }, mqtt: { protocolVersion: 5 } };
    for (let n = 0; n < 2; n += 1) {
      relays.push(await StartTaskRelay.start(startTaskConfig(env, shared)));
    }
    const taskIds = Array.from({ length: COMMANDS }, () => addTask(env.qrs));
    for (const taskId of taskIds) {
      await env.subscriber.client.publishAsync(START_TOPIC, taskId, { qos: 1 });
    }
    const started = (): Promise<number[]> =>
      Promise.all(relays.map((r) => r.metric('relay_task_starts_total', { outcome: 'started' })));
    await waitUntil(
      async () => (await started()).reduce((a, b) => a + b, 0) >= COMMANDS,
      `${COMMANDS} starts`,
      15_000,
    );
    expect(taskIds.map((id) => startsOf(env.qrs, id))).toEqual(taskIds.map(() => 1));
    const perRelay = await started();
    expect(perRelay.reduce((a, b) => a + b, 0)).toBe(COMMANDS);
    expect(perRelay.every((count) => count > 0)).toBe(true);
  });
});
