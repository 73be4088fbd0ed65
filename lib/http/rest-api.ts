import type { RelayConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import type { BrokerConnection } from '../mqtt/broker-connection.js';
import type { MqttSink } from '../sinks/mqtt-sink.js';
import type { RestServer, RestServerOptions } from './rest-server.js';
import { mqttPublishMessageRoute, type BrokerState } from './routes/mqtt-publish-message.js';

export interface RestApiParts {
  readonly sink: Pick<MqttSink, 'accept'>;
  /** The broker the API publishes to; undefined when MQTT is off. */
  readonly broker: BrokerConnection | undefined;
  /** Whether the outbox keeps messages on disk, which makes answering once `stored` safe. */
  readonly durableOutbox: boolean;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
}

/** True when the config asks for the publish endpoint, Butler's two switches both on. */
export function restPublishEnabled(config: RelayConfig): boolean {
  return (
    config.Butler.restServerConfig.enable &&
    config.Butler.restServerEndpointsEnable.mqttPublishMessage
  );
}

/**
 * Where and how the server listens, from the config. Butler's proxy port (`serverPort`) is the one
 * clients use, so the relay serves there; `backgroundServerPort` has no use without the proxy.
 */
export function restServerSettings(
  config: RelayConfig,
): Pick<RestServerOptions, 'host' | 'port' | 'tls' | 'bodyLimitBytes' | 'rateLimit'> {
  const { serverHost, serverPort, tls } = config.Butler.restServerConfig;
  const { bodyLimitBytes, rateLimit } = config.Relay.rest;
  return {
    host: serverHost,
    port: serverPort,
    ...(tls.enable && { tls: { cert: tls.cert, key: tls.key, ca: tls.ca } }),
    bodyLimitBytes,
    rateLimit,
  };
}

/**
 * Starts the REST API with its publish route. The web framework loads here, on first use, so a
 * relay that serves no API (the default) does not carry it in memory.
 */
export async function startRestApi(config: RelayConfig, parts: RestApiParts): Promise<RestServer> {
  const { startRestServer } = await import('./rest-server.js');
  const { confirm, confirmTimeoutMs, allowedTopics } = config.Relay.rest;
  const { broker, log } = parts;
  const brokerState = (): BrokerState =>
    broker === undefined ? 'disabled' : broker.connected ? 'connected' : 'disconnected';
  return startRestServer({
    ...restServerSettings(config),
    routes: [
      mqttPublishMessageRoute({
        sink: parts.sink,
        brokerState,
        // Only a durable outbox makes `stored` safe; with memory, 201 waits for the broker.
        confirm: confirm === 'auto' ? (parts.durableOutbox ? 'stored' : 'delivered') : confirm,
        confirmTimeoutMs,
        allowedTopics,
        log,
      }),
    ],
    metrics: parts.metrics,
    log,
  });
}
