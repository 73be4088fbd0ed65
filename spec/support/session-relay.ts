import { startMosquitto, type Mosquitto } from './mosquitto.js';
import { TestSubscriber } from './subscriber.js';
import { UdpRelay } from './udp-relay.js';

/** Butler's default session topics, and the relay's additions. */
export const SESSION_TOPICS = {
  start: 'qliksense/session/start',
  stop: 'qliksense/session/stop',
  open: 'qliksense/connection/open',
  close: 'qliksense/connection/close',
  serverStatus: 'qliksense/butler/session_server',
  count: 'qliksense/users/active/count',
  usernames: 'qliksense/users/active/usernames',
  full: 'qliksense/users/active/full',
  json: 'qliksense/session/events',
  perServer: (host: string) => `qliksense/users/activeperserver/${host}/count`,
} as const;

type Section = Record<string, unknown>;

/** What the user-session specs run against: a private broker and a subscriber on `#`. */
export interface SessionEnvironment {
  readonly broker: Mosquitto;
  readonly subscriber: TestSubscriber;
}

/** Keys laid over the harness's config. */
export interface SessionRelayOverrides {
  readonly udpServerConfig?: Section;
  readonly sessionEvents?: Section;
}

/**
 * A Butler config with the session listener on (on a port the system picks, the task listener
 * off), MQTT to the private broker, /metrics on a free port.
 */
export function sessionRelayConfig(
  env: SessionEnvironment,
  overrides: SessionRelayOverrides = {},
): Section {
  return {
    Butler: {
      mqttConfig: { enable: true, brokerHost: env.broker.host, brokerPort: env.broker.port },
      udpServerConfig: {
        enable: false,
        serverHost: '127.0.0.1',
        portSessionConnectionEvents: 0,
        ...overrides.udpServerConfig,
      },
    },
    Relay: {
      http: { enable: true, port: 0 },
      mqtt: { reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } },
      sessionEvents: { enable: true, ...overrides.sessionEvents },
    },
  };
}

/** The relay process, once its session listener listens, it serves /metrics and it reached the broker. */
export type SessionRelay = UdpRelay;
export const SessionRelay = {
  start: (config: Section | string, env: NodeJS.ProcessEnv = {}): Promise<SessionRelay> =>
    UdpRelay.start(config, env, 'sessions'),
};

/** The environment and relays of a `describe` block, from `useSessionEnvironment`. */
export interface SessionSuite {
  readonly env: SessionEnvironment;
  /** Starts a relay on `sessionRelayConfig(env, overrides)`; it is killed after the test. */
  start(overrides?: SessionRelayOverrides): Promise<SessionRelay>;
  /** Starts a relay on a whole config (or YAML text) and environment; killed after the test. */
  startWith(config: Section | string, processEnv?: NodeJS.ProcessEnv): Promise<SessionRelay>;
  /** A second subscriber, connected now, as a dashboard that comes later; closed after the test. */
  lateSubscriber(filters: string[]): Promise<TestSubscriber>;
}

/**
 * Registers the hooks of a user-session `describe` block: a private Mosquitto and a subscriber on
 * `#` for all tests; after each test its relay is killed, late subscribers closed and the
 * subscriber cleared. Each test gets a fresh broker state only for what it publishes, so specs
 * wait for the messages they caused.
 */
export function useSessionEnvironment(): SessionSuite {
  let env: SessionEnvironment | undefined;
  let current: SessionRelay | undefined;
  const late: TestSubscriber[] = [];

  const started = (): SessionEnvironment => {
    if (env === undefined) throw new Error('the user-session environment is not started');
    return env;
  };
  const startWith = async (
    config: Section | string,
    processEnv: NodeJS.ProcessEnv = {},
  ): Promise<SessionRelay> => {
    current = await SessionRelay.start(config, processEnv);
    return current;
  };

  beforeAll(async () => {
    const broker = await startMosquitto();
    env = { broker, subscriber: await TestSubscriber.connect(broker.url, ['#']) };
  });
  afterEach(async () => {
    await current?.kill();
    current = undefined;
    await Promise.all(late.splice(0).map((subscriber) => subscriber.close()));
    env?.subscriber.clear();
  });
  afterAll(async () => {
    await env?.subscriber.close();
    await env?.broker.stop();
  });

  return {
    get env() {
      return started();
    },
    start: (overrides = {}) => startWith(sessionRelayConfig(started(), overrides)),
    startWith,
    async lateSubscriber(filters) {
      const subscriber = await TestSubscriber.connect(started().broker.url, filters);
      late.push(subscriber);
      return subscriber;
    },
  };
}
