import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { SETTINGS } from '../settings.js';
import { FakeRepository } from '../support/fake-repository.js';
import type { BenchBroker } from '../support/mosquitto.js';
import { ProcessSampler } from '../support/process-sampler.js';
import { attempt, emptyRepeated, type Budget, type Repeated } from '../support/repeat.js';
import { BenchSubscriber } from '../support/subscriber.js';
import { sleep } from '../support/time.js';
import { TaskMessageRouter, type TaskTopics } from '../task-events/delivery-tracker.js';
import {
  measureLoad,
  type LoadContext,
  type LoadMeasurement,
} from '../task-events/measure-load.js';
import { startTarget, type TargetName, type TargetSetup } from '../task-events/targets.js';

/** One start-to-stop run of a target through every load. */
export interface TargetRun {
  startupMs: number;
  idleRssMiB: number | undefined;
  /** In the order of `SETTINGS.taskEvents.loads`. */
  loads: LoadMeasurement[];
}

export type TaskEventsResult = Readonly<Record<TargetName, Repeated<TargetRun>>> & {
  /** Task messages that belonged to no load in progress (late arrivals); should be 0. */
  readonly strayMessages: number;
  readonly repositoryRequests: number;
};

export const TARGETS: readonly TargetName[] = ['relay', 'naive'];

/**
 * The relay process and the naive baseline, each started afresh per repetition (taking turns, so
 * drift on the machine hits both alike) and driven through the same loads of failed-reload
 * datagrams.
 */
export async function measureTaskEvents(
  broker: BenchBroker,
  budget: Budget,
  cpuProfileDir?: string,
): Promise<TaskEventsResult> {
  const settings = SETTINGS.taskEvents;
  const root = `bench/${randomUUID()}`;
  const topics: TaskTopics = { basic: `${root}/task_failure`, full: `${root}/task_failure_full` };
  const repository = await FakeRepository.start();
  const router = new TaskMessageRouter(topics);
  const subscriber = await BenchSubscriber.connect(broker.url, [topics.basic, topics.full]);
  subscriber.handler = router.handle;
  const socket = createSocket('udp4');
  const setup: TargetSetup = {
    brokerUrl: broker.url,
    brokerPort: broker.port,
    repositoryPort: repository.port,
    topics,
    topicRoot: root,
    startTimeoutMs: settings.startTimeoutMs,
    stopTimeoutMs: settings.stopTimeoutMs,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  };
  const results: Record<TargetName, Repeated<TargetRun>> = {
    relay: emptyRepeated(),
    naive: emptyRepeated(),
  };
  let nextLoadId = 1;

  const runTarget = async (name: TargetName): Promise<TargetRun> => {
    const target = await startTarget(name, setup);
    const sampler = new ProcessSampler(target.pid);
    try {
      await sleep(settings.idleSettleMs);
      const idle = sampler.sample();
      const context: LoadContext = { socket, router, sampler, ...settings };
      await measureLoad(target, settings.warmUp, nextLoadId++, context); // not reported
      const loads: LoadMeasurement[] = [];
      for (const load of settings.loads) {
        loads.push(await measureLoad(target, load, nextLoadId++, context));
        await sleep(settings.pauseBetweenLoadsMs);
      }
      return {
        startupMs: target.startupMs,
        idleRssMiB: idle && idle.rssKiB / 1024,
        loads,
      };
    } finally {
      sampler.stop();
      await target.stop();
    }
  };

  try {
    for (let repetition = 1; repetition <= SETTINGS.repetitions; repetition += 1) {
      for (const name of TARGETS) {
        process.stdout.write(`  task events: ${name} #${repetition}\n`);
        await attempt(`task events ${name} #${repetition}`, budget, results[name], () =>
          runTarget(name),
        );
      }
    }
  } finally {
    socket.close();
    await subscriber.close();
    await repository.close();
  }
  return { ...results, strayMessages: router.strays, repositoryRequests: repository.requests };
}
