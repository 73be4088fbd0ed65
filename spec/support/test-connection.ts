import {
  BrokerConnection,
  type BrokerConnectionOptions,
} from '../../lib/mqtt/broker-connection.js';
import type { BrokerClientConfig } from '../../lib/mqtt/client-options.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { captureLog, type LogCapture } from './log-capture.js';

export interface TestConnection {
  connection: BrokerConnection;
  logs: LogCapture;
  metrics: RelayMetrics;
}

/**
 * Opens a `BrokerConnection` named `main` with quick reconnects (50–500 ms), a capturing logger and
 * its own metrics. `target` is a URL or a built client config.
 */
export function openTestConnection(
  target: string | BrokerClientConfig,
  overrides: Partial<BrokerConnectionOptions> = {},
): TestConnection {
  const { url, options } = typeof target === 'string' ? { url: target, options: {} } : target;
  const logs = captureLog();
  const metrics = new RelayMetrics();
  const connection = BrokerConnection.open({
    name: 'main',
    url,
    clientOptions: options,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    log: logs.log,
    metrics,
    ...overrides,
  });
  return { connection, logs, metrics };
}
