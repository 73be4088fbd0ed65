import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { firstValueFrom, filter } from 'rxjs';
import { loadConfig } from '../../lib/config/index.js';
import { silentLogger } from '../../lib/log/logger.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { BrokerConnection } from '../../lib/mqtt/broker-connection.js';
import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { MemoryOutboxStore } from '../../lib/outbox/memory-outbox-store.js';
import { Outbox } from '../../lib/outbox/outbox.js';
import { MqttSink } from '../../lib/sinks/mqtt-sink.js';
import type { PublishSpec } from '../settings.js';
import type { BenchBroker } from '../support/mosquitto.js';
import { BenchSubscriber } from '../support/subscriber.js';
import { withTimeout } from '../support/time.js';
import {
  markAck,
  newProgress,
  publishRun,
  type PublishProgress,
  type PublishRun,
} from './publish-run.js';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The relay's own publishing path (`BrokerConnection` + `MqttSink`, default `Relay.publish`
 * settings) given the ceiling's messages as fast as it takes them.
 */
export async function measureRelayPublisher(
  broker: BenchBroker,
  spec: PublishSpec,
): Promise<PublishRun> {
  const { config } = loadConfig({ env: {} });
  const log = silentLogger();
  const metrics = new RelayMetrics();
  const { url, options } = standardBrokerOptions({
    host: broker.host,
    port: broker.port,
    protocolVersion: config.Relay.mqtt.protocolVersion,
    keepaliveSeconds: config.Relay.mqtt.keepaliveSeconds,
    clean: config.Relay.mqtt.clean,
    connectTimeoutMs: config.Relay.mqtt.connectTimeoutMs,
  });
  const topic = `bench/relay-publisher/${randomUUID()}`;
  const subscriber = await BenchSubscriber.connect(broker.url, [topic]);
  let received = 0;
  subscriber.handler = () => (received += 1);
  const connection = BrokerConnection.open({
    name: 'main',
    url,
    clientOptions: options,
    reconnect: config.Relay.mqtt.reconnect,
    log,
    metrics,
  });
  const sink = new MqttSink({
    connections: new Map([['main', connection]]),
    options: config.Relay.publish,
    outbox: new Outbox({ store: new MemoryOutboxStore(), maxAgeSeconds: 0, log, metrics }),
    log,
    metrics,
  });
  try {
    const connected = firstValueFrom(connection.state$.pipe(filter((s) => s === 'connected')));
    if ('timedOut' in (await withTimeout(connected, CONNECT_TIMEOUT_MS))) {
      throw new Error(`the relay's connection did not connect within ${CONNECT_TIMEOUT_MS} ms`);
    }
    const progress = newProgress();
    const payload = Buffer.alloc(spec.payloadBytes, 'x');
    // A producer that respects the publisher's queue bound, so no message is evicted.
    const limit = config.Relay.publish.queue.maxMessages;
    const startedAt = performance.now();
    await withTimeout(
      handOver(sink, topic, payload, spec.messages, limit, progress),
      spec.timeoutMs,
    );
    return await publishRun(startedAt, progress, spec.messages, () => received);
  } finally {
    sink.stop();
    await connection.close(2_000);
    await subscriber.close();
  }
}

function handOver(
  sink: MqttSink,
  topic: string,
  payload: Buffer,
  total: number,
  limit: number,
  progress: PublishProgress,
): Promise<void> {
  return new Promise((resolve) => {
    let handed = 0;
    let outstanding = 0;
    const fill = (): void => {
      while (handed < total && outstanding < limit) {
        handed += 1;
        outstanding += 1;
        void sink.publish({ topic, payload }).then((outcome) => {
          outstanding -= 1;
          markAck(progress, outcome.status === 'delivered');
          if (progress.acked + progress.failed >= total) resolve();
          else fill();
        });
      }
    };
    fill();
  });
}
