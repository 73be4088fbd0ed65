import type { Mosquitto } from '../../support/mosquitto.js';
import { RelayProcess } from '../../support/relay-process.js';
import { publishUrl } from './rest-client.js';

export interface RestRelayOptions {
  /** `Relay.rest` keys. */
  rest?: Record<string, unknown>;
  /** More `Butler.restServerConfig` keys (port, TLS). */
  restServerConfig?: Record<string, unknown>;
  /** More `Relay` keys (outbox, reconnect). */
  relay?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

/** The relay process with the REST publish endpoint on a free port, its ops endpoint too. */
export interface RestRelay {
  process: RelayProcess;
  url: string;
  httpPort: number;
}

/** Butler's two switches on, MQTT on the test broker, both HTTP servers on free ports. */
export function restRelayConfig(broker: Mosquitto, options: RestRelayOptions = {}): object {
  return {
    Butler: {
      mqttConfig: { enable: true, brokerHost: broker.host, brokerPort: broker.port },
      restServerConfig: {
        enable: true,
        serverHost: '127.0.0.1',
        serverPort: 0,
        ...options.restServerConfig,
      },
      restServerEndpointsEnable: { mqttPublishMessage: true },
    },
    Relay: {
      http: { enable: true, port: 0 },
      mqtt: { reconnect: { initialDelayMs: 100, maxDelayMs: 500 } },
      rest: options.rest ?? {},
      ...options.relay,
    },
  };
}

/** Starts the relay and resolves once both endpoints listen and the broker is connected. */
export async function startRestRelay(
  broker: Mosquitto,
  options: RestRelayOptions = {},
): Promise<RestRelay> {
  const process = RelayProcess.start(restRelayConfig(broker, options), options.env);
  const scheme = options.restServerConfig?.tls ? 'https' : 'http';
  const rest = await process.waitForLog('rest.listening');
  const http = await process.waitForLog('http.listening');
  await process.waitForLog('mqtt.connected');
  return { process, url: publishUrl(Number(rest.port), scheme), httpPort: Number(http.port) };
}
