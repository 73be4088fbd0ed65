import type { OutboxVariant } from '../settings.js';
import type { TaskTopics } from './delivery-tracker.js';

export interface RelayConfigPorts {
  readonly brokerPort: number;
  readonly udpPort: number;
  readonly httpPort: number;
  readonly repositoryPort: number;
}

/**
 * The relay's config for the bench: defaults everywhere (queue sizes, in-flight window, logging),
 * except where its broker, listener, Repository Service and topics are, and which outbox it uses.
 */
export function benchRelayConfig(
  ports: RelayConfigPorts,
  topics: TaskTopics,
  root: string,
  outbox: OutboxVariant,
) {
  return {
    Butler: {
      mqttConfig: {
        enable: true,
        brokerHost: '127.0.0.1',
        brokerPort: ports.brokerPort,
        taskFailureSendFull: true,
        taskAbortedSendFull: true,
        subscriptionRootTopic: `${root}/commands/#`,
        taskStartTopic: `${root}/commands/start_task`,
        taskFailureTopic: topics.basic,
        taskFailureFullTopic: topics.full,
        taskFailureServerStatusTopic: `${root}/status`,
        taskAbortedTopic: `${root}/task_aborted`,
        taskAbortedFullTopic: `${root}/task_aborted_full`,
      },
      udpServerConfig: {
        enable: true,
        serverHost: '127.0.0.1',
        portTaskFailure: ports.udpPort,
      },
      configQRS: {
        host: '127.0.0.1',
        port: ports.repositoryPort,
        useSSL: false,
      },
    },
    Relay: {
      log: { level: 'info', pretty: false },
      mqtt: {
        embeddedBroker: false,
        availability: { enable: true, topic: `${root}/availability` },
      },
      http: { enable: true, host: '127.0.0.1', port: ports.httpPort },
      // A disk outbox lives beside the config file, in the run's own folder.
      outbox:
        outbox.store === 'memory'
          ? { store: 'memory' }
          : {
              store: 'disk',
              directory: 'outbox',
              fsync: outbox.fsync,
              ...(outbox.fsync === 'interval' ? { fsyncIntervalMs: outbox.fsyncIntervalMs } : {}),
            },
    },
  };
}
