import { FakeQrs } from './fake-qrs.js';
import { startMosquitto, type Mosquitto, type MosquittoOptions } from './mosquitto.js';
import { createQrsCertificates, type QrsCertificates } from './qrs-certs.js';
import { scrapeMetrics } from './relay-metrics-scrape.js';
import { RelayProcess } from './relay-process.js';
import { TestSubscriber } from './subscriber.js';
import { sendDatagrams } from './udp-sender.js';

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

/** The relay process, once it listens for datagrams, serves /metrics and reached the broker. */
export class TaskRelay {
  private constructor(
    readonly process: RelayProcess,
    readonly udpPort: number,
    readonly httpPort: number,
  ) {}

  static async start(config: Section | string, env: NodeJS.ProcessEnv = {}): Promise<TaskRelay> {
    const relay = RelayProcess.start(config, env);
    try {
      const listening = await relay.waitForLog('udp.listening');
      const http = await relay.waitForLog('http.listening');
      await relay.waitForLog('mqtt.connected');
      return new TaskRelay(relay, Number(listening.port), Number(http.port));
    } catch (error) {
      await relay.kill();
      throw error;
    }
  }

  /** Sends the datagrams in order to the relay's log-appender port. */
  send(...datagrams: (string | Buffer)[]): Promise<void> {
    return sendDatagrams(this.udpPort, datagrams);
  }

  metrics(): Promise<string> {
    return scrapeMetrics(this.httpPort);
  }

  stop(): Promise<number | null> {
    return this.process.stop();
  }

  kill(): Promise<void> {
    return this.process.kill();
  }
}
