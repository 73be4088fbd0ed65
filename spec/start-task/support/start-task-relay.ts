import { randomUUID } from 'node:crypto';
import type { FakeQrs } from '../../support/fake-qrs.js';
import { taskFullFixture } from '../../support/fake-qrs.js';
import { metricValue, scrapeMetrics } from '../../support/relay-metrics-scrape.js';
import { RelayProcess } from '../../support/relay-process.js';
import { taskRelayConfig, type TaskEventsEnvironment } from '../../support/task-relay.js';

export const START_TOPIC = 'qliksense/start_task';
export const REPLY_TOPIC = 'qliksense/start_task_result';

type Section = Record<string, unknown>;

export interface StartTaskRelayOptions {
  /** Laid over `Relay.startTask`. */
  readonly startTask?: Section;
  /** Laid over `Relay.mqtt` (reconnects are fast by default). */
  readonly mqtt?: Section;
  /** `Butler.startTaskFilter`. */
  readonly startTaskFilter?: Section;
  /** Laid over `Butler.mqttConfig`. */
  readonly mqttConfig?: Section;
}

/**
 * The relay process with only the start-task pipeline's inputs: MQTT to the private broker, the
 * fake Repository Service, no UDP listener, replies on REPLY_TOPIC, debug logs (to see the
 * subscription being made).
 */
export function startTaskConfig(
  env: TaskEventsEnvironment,
  options: StartTaskRelayOptions = {},
): Section {
  const base = taskRelayConfig(env, {
    udpServerConfig: { enable: false },
    mqttConfig: options.mqttConfig,
    relay: {
      log: { level: 'debug' },
      mqtt: { reconnect: { initialDelayMs: 100, maxDelayMs: 1000 }, ...options.mqtt },
      startTask: {
        replyTopic: REPLY_TOPIC,
        retry: { initialDelayMs: 100, maxDelayMs: 500 },
        ...options.startTask,
      },
    },
  });
  const butler = base.Butler as Section;
  if (options.startTaskFilter) butler.startTaskFilter = options.startTaskFilter;
  return base;
}

/** The relay, once it serves /metrics and its start-task subscription is in place. */
export class StartTaskRelay {
  private constructor(
    readonly process: RelayProcess,
    readonly httpPort: number,
  ) {}

  static async start(config: Section, env: NodeJS.ProcessEnv = {}): Promise<StartTaskRelay> {
    const relay = RelayProcess.start(config, env);
    try {
      const http = await relay.waitForLog('http.listening');
      await relay.waitForLog('mqtt.subscribed', (r) => String(r.filter).endsWith('qliksense/#'));
      return new StartTaskRelay(relay, Number(http.port));
    } catch (error) {
      await relay.kill();
      throw error;
    }
  }

  async metric(name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
    return metricValue(await scrapeMetrics(this.httpPort), name, labels);
  }

  /** Drops counted by the start-task pipeline for `reason`. */
  drops(reason: string): Promise<number> {
    return this.metric('relay_dropped_total', { component: 'mqtt:start-task', reason });
  }

  stop(): Promise<number | null> {
    return this.process.stop();
  }

  kill(): Promise<void> {
    return this.process.kill();
  }
}

/** A new task in the fake, so that counts of its starts belong to one test alone. */
export function addTask(qrs: FakeQrs, overrides: Section = {}): string {
  const id = randomUUID();
  qrs.addTask({
    ...taskFullFixture(),
    id,
    name: `Task ${id}`,
    tags: [],
    customProperties: [],
    ...overrides,
  });
  return id;
}

/** How often the fake started `taskId`. */
export function startsOf(qrs: FakeQrs, taskId: string): number {
  return qrs.startedTasks.filter((id) => id === taskId.toLowerCase()).length;
}
