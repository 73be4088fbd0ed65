import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { SETTINGS, type TargetSpec } from '../settings.js';
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
import { startTarget, targetLabel, type TargetSetup } from '../task-events/targets.js';

/** One start-to-stop run of a target through every load. */
export interface TargetRun {
  startupMs: number;
  idleRssMiB: number | undefined;
  /** In the order of `SETTINGS.taskEvents.loads`. */
  loads: LoadMeasurement[];
}

/** The repetitions of one target. */
export interface TargetResult extends Repeated<TargetRun> {
  readonly spec: TargetSpec;
}

export interface TaskEventsResult {
  /** In the order of `SETTINGS.taskEvents.targets`. */
  readonly targets: readonly TargetResult[];
  /** Task messages that belonged to no load in progress (late arrivals); should be 0. */
  readonly strayMessages: number;
  readonly repositoryRequests: number;
}

/**
 * The relay process (once per outbox) and the naive baseline, each started afresh per repetition
 * (taking turns, so drift on the machine hits all alike) and driven through the same loads of
 * failed-reload datagrams.
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
  const results: TargetResult[] = settings.targets.map((spec) => ({
    spec,
    ...emptyRepeated<TargetRun>(),
  }));
  let nextLoadId = 1;

  const runTarget = async (spec: TargetSpec): Promise<TargetRun> => {
    const target = await startTarget(spec, setup);
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
    for (let repetition = 1; repetition <= settings.repetitions; repetition += 1) {
      for (const result of results) {
        const label = `task events: ${targetLabel(result.spec)} #${repetition}`;
        process.stdout.write(`  ${label}\n`);
        await attempt(label, budget, result, () => runTarget(result.spec));
      }
    }
  } finally {
    socket.close();
    await subscriber.close();
    await repository.close();
  }
  return {
    targets: results,
    strayMessages: router.strays,
    repositoryRequests: repository.requests,
  };
}
