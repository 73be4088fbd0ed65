import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { RelayConfig } from '../config/types.js';
import { mainBrokerOptions } from '../mqtt/open-brokers.js';
import { formatWatchedMessage } from './format-watched-message.js';

export interface WatchIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Ends the watch; SIGINT and SIGTERM do too. */
  signal?: AbortSignal;
}

/**
 * `sense-mqtt-relay watch`: subscribes to the configured main broker (the relay's own connection
 * settings, TLS and credentials included) and prints every message on `topics` until stopped.
 * It is a separate, clean-session client with its own id and no last will, so it never disturbs
 * the relay or its availability topic.
 */
export async function watch(config: RelayConfig, topics: string[], io: WatchIo): Promise<number> {
  const settings = config.Butler.mqttConfig;
  if (!settings.enable) {
    io.stderr.write('sense-mqtt-relay: Butler.mqttConfig.enable is false: no broker to watch\n');
    return 1;
  }
  if (settings.azureEventGrid.enable) {
    io.stderr.write(
      'sense-mqtt-relay: watch cannot join Azure Event Grid: its client id belongs to the relay\n',
    );
    return 1;
  }
  const filters = topics.length > 0 ? topics : [settings.subscriptionRootTopic];
  const { url, options } = mainBrokerOptions(config);
  const { will: _will, properties: _properties, ...rest } = options;
  const client = mqtt.connect(url, {
    ...rest,
    clientId: `sense-mqtt-relay-watch-${randomBytes(4).toString('hex')}`,
    clean: true,
    reconnectPeriod: 2_000,
  });
  const readable = io.stdout.isTTY === true;
  const colour = readable && io.env.NO_COLOR === undefined;

  client.on('connect', () => {
    client.subscribe(filters, { qos: 0 });
    io.stderr.write(`watching ${filters.join(', ')} on ${url} (Ctrl-C to stop)\n`);
  });
  client.on('error', (error) => io.stderr.write(`sense-mqtt-relay: ${error.message}\n`));
  client.on('message', (topic, payload, packet) => {
    const eventId = packet.properties?.userProperties?.['event-id'];
    io.stdout.write(
      formatWatchedMessage(
        {
          topic,
          payload,
          qos: packet.qos,
          retain: packet.retain,
          ...(typeof eventId === 'string' ? { eventId } : {}),
          receivedAt: new Date(),
        },
        { readable, colour },
      ),
    );
  });

  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  io.signal?.addEventListener('abort', stop, { once: true });
  if (io.signal?.aborted) stop();
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await client.endAsync();
  return 0;
}
