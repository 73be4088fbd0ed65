import { FakeQrs } from './fake-qrs.js';
import { startMosquitto, type Mosquitto, type MosquittoOptions } from './mosquitto.js';
import { createQrsCertificates, type QrsCertificates } from './qrs-certs.js';
import { siteFullPayload } from './sense-site.js';
import { TestSubscriber } from './subscriber.js';
import { schedulerFields } from './task-event-fixtures.js';
import { UdpRelay } from './udp-relay.js';

/** Butler's default topics for the task messages. */
export const TOPICS = {
  failed: 'qliksense/task_failure',
  failedFull: 'qliksense/task_failure_full',
  aborted: 'qliksense/task_aborted',
  abortedFull: 'qliksense/task_aborted_full',
  serverStatus: 'qliksense/butler/task_failure_server',
} as const;

/** What the task-event specs run against: a private broker, a subscriber on `#`, the fake QRS. */
export interface TaskEventsEnvironment {
  readonly broker: Mosquitto;
  readonly qrs: FakeQrs;
  readonly certs: QrsCertificates;
  readonly subscriber: TestSubscriber;
  close(): Promise<void>;
}

export interface TaskEventsEnvironmentOptions {
  readonly mosquitto?: MosquittoOptions;
  /** Options of the subscriber's connection, e.g. a persistent session. */
  readonly subscriber?: Parameters<typeof TestSubscriber.connect>[2];
}

export async function startTaskEventsEnvironment(
  options: TaskEventsEnvironmentOptions = {},
): Promise<TaskEventsEnvironment> {
  const certs = createQrsCertificates();
  const qrs = await FakeQrs.start({ certificates: certs });
  const broker = await startMosquitto(options.mosquitto);
  const subscriber = await TestSubscriber.connect(broker.url, ['#'], options.subscriber);
  return {
    broker,
    qrs,
    certs,
    subscriber,
    async close() {
      await subscriber.close();
      await broker.stop();
      await qrs.close();
      certs.remove();
    },
  };
}

type Section = Record<string, unknown>;

/**
 * The payloads each of Butler's four task topics should carry for the given failed and aborted
 * datagrams of the example site (sense-site.ts): the task name, and the full JSON.
 */
export function siteTaskMessages(
  failed: readonly string[],
  aborted: readonly string[],
): [topic: string, payloads: string[]][] {
  return [
    [TOPICS.failed, failed.map((d) => schedulerFields(d).taskName)],
    [TOPICS.aborted, aborted.map((d) => schedulerFields(d).taskName)],
    [TOPICS.failedFull, failed.map((d) => siteFullPayload('failed', d))],
    [TOPICS.abortedFull, aborted.map((d) => siteFullPayload('aborted', d))],
  ];
}

/** Keys laid over the harness's config: Butler's two sections, and whole `Relay` sections. */
export interface TaskRelayOverrides {
  readonly mqttConfig?: Section;
  readonly udpServerConfig?: Section;
  readonly relay?: Section;
}

/**
 * A Butler config for the relay under test: MQTT to the private broker with both full messages
 * on, the UDP listener on a port the system picks, the Repository Service at the fake over HTTPS
 * with the client certificate, /metrics on a free port.
 */
export function taskRelayConfig(
  env: TaskEventsEnvironment,
  overrides: TaskRelayOverrides = {},
): Section {
  return {
    Butler: {
      mqttConfig: {
        enable: true,
        brokerHost: env.broker.host,
        brokerPort: env.broker.port,
        taskFailureSendFull: true,
        taskAbortedSendFull: true,
        ...overrides.mqttConfig,
      },
      udpServerConfig: {
        enable: true,
        serverHost: '127.0.0.1',
        portTaskFailure: 0,
        ...overrides.udpServerConfig,
      },
      configQRS: {
        host: '127.0.0.1',
        port: env.qrs.port,
        useSSL: true,
        rejectUnauthorized: true,
        headers: {
          static: [{ name: 'X-Qlik-User', value: 'UserDirectory=Internal;UserId=sa_repository' }],
        },
      },
      cert: {
        clientCert: env.certs.clientCert,
        clientCertKey: env.certs.clientKey,
        clientCertCA: env.certs.ca,
      },
    },
    Relay: {
      http: { enable: true, port: 0 },
      mqtt: { reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } },
      ...overrides.relay,
    },
  };
}

/** The relay process, once its task listener listens, it serves /metrics and it reached the broker. */
export type TaskRelay = UdpRelay;
export const TaskRelay = {
  start: (config: Section | string, env: NodeJS.ProcessEnv = {}): Promise<TaskRelay> =>
    UdpRelay.start(config, env, 'tasks'),
};

export interface TaskEventsSuiteOptions extends TaskEventsEnvironmentOptions {
  /** Fills the fake Repository Service once the environment is up, e.g. `seedSite`. */
  readonly seed?: (qrs: FakeQrs) => void;
  /** Starts one relay with these overrides for the whole `describe`, instead of one per test. */
  readonly sharedRelay?: TaskRelayOverrides;
}

/** The environment and relays of a `describe` block, from `useTaskEventsEnvironment`. */
export interface TaskEventsSuite {
  readonly env: TaskEventsEnvironment;
  /** The relay started last: the shared one, or the current test's. */
  readonly relay: TaskRelay;
  /** Starts a relay on `taskRelayConfig(env, overrides)`; it is killed after the test. */
  start(overrides?: TaskRelayOverrides): Promise<TaskRelay>;
  /** Starts a relay on a whole config (or YAML text) and environment; killed after the test. */
  startWith(config: Section | string, processEnv?: NodeJS.ProcessEnv): Promise<TaskRelay>;
}

/**
 * Registers the hooks of a task-event `describe` block: the environment starts before all tests
 * and closes after them; after each test the relay it started is killed and the subscriber
 * cleared.
 */
export function useTaskEventsEnvironment(options: TaskEventsSuiteOptions = {}): TaskEventsSuite {
  const { seed, sharedRelay, ...environment } = options;
  let env: TaskEventsEnvironment | undefined;
  let shared: TaskRelay | undefined;
  let current: TaskRelay | undefined;

  const started = (): TaskEventsEnvironment => {
    if (env === undefined) throw new Error('the task-events environment is not started');
    return env;
  };
  const startWith = async (config: Section | string, processEnv: NodeJS.ProcessEnv = {}) => {
    current = await TaskRelay.start(config, processEnv);
    return current;
  };

  beforeAll(async () => {
    env = await startTaskEventsEnvironment(environment);
    seed?.(env.qrs);
    if (sharedRelay !== undefined)
      shared = await TaskRelay.start(taskRelayConfig(env, sharedRelay));
  });
  afterEach(async () => {
    await current?.kill();
    current = undefined;
    env?.subscriber.clear();
  });
  afterAll(async () => {
    await shared?.kill();
    await env?.close();
  });

  return {
    get env() {
      return started();
    },
    get relay() {
      const relay = current ?? shared;
      if (relay === undefined) throw new Error('no relay is running');
      return relay;
    },
    start: (overrides = {}) => startWith(taskRelayConfig(started(), overrides)),
    startWith,
  };
}
