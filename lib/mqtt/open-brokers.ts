import type { RelayConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { BrokerConnection } from './broker-connection.js';
import {
  azureEventGridOptions,
  cloudForwardBrokerOptions,
  standardBrokerOptions,
  type BrokerClientConfig,
} from './client-options.js';
import { startEmbeddedBrokerIfNeeded, type EmbeddedBroker } from './embedded-broker.js';
import { cloudBrokerStatusLine, mainBrokerStatusLine } from './status-lines.js';

/** The relay's broker connections by name: `main`, and `cloud` for the Qlik Cloud event broker. */
export interface Brokers {
  readonly connections: ReadonlyMap<string, BrokerConnection>;
  /** Publishes `offline` where configured and ends every connection (and the embedded broker). */
  close(deadlineMs: number): Promise<void>;
}

/**
 * Opens the connections the config asks for: the main broker (standard or Azure Event Grid mode)
 * when `Butler.mqttConfig.enable`, and the Qlik Cloud forward broker when its `enable` is set too
 * (Butler's rule). Unreachable brokers are not an error here: connections retry on their own.
 * Unreadable certificate files are, and throw with the config key that names them.
 */
export async function openBrokers(
  config: RelayConfig,
  log: Logger,
  metrics: RelayMetrics,
): Promise<Brokers> {
  const mqtt = config.Butler.mqttConfig;
  const relay = config.Relay.mqtt;
  const connections = new Map<string, BrokerConnection>();
  let embedded: EmbeddedBroker | undefined;
  if (!mqtt.enable) return { connections, close: () => Promise.resolve() };

  const azure = mqtt.azureEventGrid.enable;
  const main = mainBrokerOptions(config);
  const cloudBroker = mqtt.qlikSenseCloud.event.mqttForward;
  const cloud = cloudBroker.enable
    ? cloudForwardBrokerOptions({
        host: cloudBroker.broker.host,
        port: cloudBroker.broker.port,
        username: cloudBroker.broker.username,
        password: cloudBroker.broker.password,
        ca: config.Relay.cloudMqtt.ca,
        rejectUnauthorized: config.Relay.cloudMqtt.rejectUnauthorized,
      })
    : undefined;

  // The embedded broker (aedes) speaks plain MQTT 3.1.1 only.
  if (relay.embeddedBroker && !azure && !relay.tls.enable && relay.protocolVersion === 4) {
    embedded = await startEmbeddedBrokerIfNeeded({
      host: mqtt.brokerHost,
      port: mqtt.brokerPort,
      log,
    });
  }
  const connectionLog = log.child({ component: 'mqtt' });
  connections.set(
    'main',
    BrokerConnection.open({
      name: 'main',
      url: main.url,
      clientOptions: main.options,
      reconnect: relay.reconnect,
      statusLine: mainBrokerStatusLine(mqtt.brokerHost, mqtt.brokerPort),
      ...(relay.availability.enable ? { availabilityTopic: relay.availability.topic } : {}),
      log: connectionLog,
      metrics,
    }),
  );
  if (cloud) {
    connections.set(
      'cloud',
      BrokerConnection.open({
        name: 'cloud',
        url: cloud.url,
        clientOptions: cloud.options,
        reconnect: config.Relay.cloudMqtt.reconnect,
        statusLine: cloudBrokerStatusLine(cloudBroker.broker.host, cloudBroker.broker.port),
        log: connectionLog,
        metrics,
      }),
    );
  }

  return {
    connections,
    async close(deadlineMs) {
      await Promise.all([...connections.values()].map((c) => c.close(deadlineMs)));
      await embedded?.close();
    },
  };
}

/** How to reach the main broker (`Butler.mqttConfig` with `Relay.mqtt`): standard or Azure Event Grid. */
export function mainBrokerOptions(config: RelayConfig): BrokerClientConfig {
  const mqtt = config.Butler.mqttConfig;
  const relay = config.Relay.mqtt;
  return mqtt.azureEventGrid.enable
    ? azureEventGridOptions({
        ...sessionSettings(config),
        host: mqtt.brokerHost,
        port: mqtt.brokerPort,
        clientId: mqtt.azureEventGrid.clientId,
        clientCertFile: mqtt.azureEventGrid.clientCertFile,
        clientKeyFile: mqtt.azureEventGrid.clientKeyFile,
        ...(relay.tls.ca ? { ca: relay.tls.ca } : {}),
      })
    : standardBrokerOptions({
        ...sessionSettings(config),
        host: mqtt.brokerHost,
        port: mqtt.brokerPort,
        protocolVersion: relay.protocolVersion,
        clientId: relay.clientId,
        username: relay.username,
        password: relay.password,
        tls: relay.tls,
      });
}

function sessionSettings(config: RelayConfig) {
  const relay = config.Relay.mqtt;
  return {
    keepaliveSeconds: relay.keepaliveSeconds,
    clean: relay.clean,
    connectTimeoutMs: relay.connectTimeoutMs,
    availability: relay.availability,
  };
}
