import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { firstValueFrom, filter } from 'rxjs';
import { loadConfig, type RelayConfig } from '../../lib/config/index.js';
import { silentLogger, type Logger } from '../../lib/log/logger.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { BrokerConnection } from '../../lib/mqtt/broker-connection.js';
import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { Outbox } from '../../lib/outbox/outbox.js';
import { outboxStoreFromConfig } from '../../lib/outbox/outbox-from-config.js';
import { MqttSink } from '../../lib/sinks/mqtt-sink.js';
import type { OutboxVariant, PublishSpec } from '../settings.js';
import { outboxLabel } from '../task-events/targets.js';
import { sampleFolderSize } from '../support/folder-size.js';
import type { BenchBroker } from '../support/mosquitto.js';
import { attempt, emptyRepeated, type Budget, type Repeated } from '../support/repeat.js';
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

export interface RelayPublisherSpec {
  readonly outboxVariants: readonly OutboxVariant[];
  /** How often a disk outbox's folder is measured during a run. */
  readonly outboxSampleMs: number;
}

/** One repetition of the relay publisher with one outbox variant. */
export interface RelayPublisherRun extends PublishRun {
  /** The disk outbox folder's largest sampled size; undefined for the memory outbox. */
  outboxPeakBytes: number | undefined;
}

/** The repetitions of one outbox variant. */
export interface RelayPublisherVariant extends Repeated<RelayPublisherRun> {
  readonly variant: OutboxVariant;
}

/**
 * `repetitions` rounds of the relay publisher, each round running every outbox variant once, so
 * a drift of the machine during the phase touches every variant alike.
 */
export async function measureRelayPublisher(
  broker: BenchBroker,
  spec: PublishSpec,
  { outboxVariants, outboxSampleMs }: RelayPublisherSpec,
  repetitions: number,
  budget: Budget,
): Promise<RelayPublisherVariant[]> {
  const results = outboxVariants.map((variant) => ({
    variant,
    ...emptyRepeated<RelayPublisherRun>(),
  }));
  for (let repetition = 1; repetition <= repetitions; repetition += 1) {
    // Each round starts one variant later: the first, coldest turn goes round too.
    const first = (repetition - 1) % results.length;
    for (const result of [...results.slice(first), ...results.slice(0, first)]) {
      const label = `relay publisher (${outboxLabel(result.variant)}) #${repetition}`;
      await attempt(label, budget, result, () =>
        publishOnce(broker, spec, result.variant, outboxSampleMs),
      );
    }
  }
  return results;
}

/**
 * One run with a fresh outbox of the `variant`'s kind: on disk in a temporary folder, measured
 * while the run lasts and removed after it.
 */
async function publishOnce(
  broker: BenchBroker,
  spec: PublishSpec,
  variant: OutboxVariant,
  sampleMs: number,
): Promise<RelayPublisherRun> {
  const { config } = loadConfig({ env: {} });
  const log = silentLogger();
  const metrics = new RelayMetrics();
  const directory =
    variant.store === 'disk' ? await mkdtemp(join(tmpdir(), 'bench-outbox-')) : undefined;
  try {
    // The relay's defaults (`Relay.outbox`) but for the variant and the folder.
    const store = outboxStoreFromConfig({
      ...config.Relay.outbox,
      ...variant,
      directory: directory ?? '',
    });
    const outbox = new Outbox({ store, maxAgeSeconds: 0, log, metrics });
    await outbox.open();
    const sampler = directory === undefined ? undefined : sampleFolderSize(directory, sampleMs);
    try {
      const run = await publishThrough(outbox, broker, spec, { config, log, metrics });
      const outboxPeakBytes = await sampler?.stop();
      return { ...run, outboxPeakBytes };
    } finally {
      await sampler?.stop();
      await outbox.close();
    }
  } finally {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  }
}

/** What every part of the relay under test shares. */
interface RelayParts {
  readonly config: RelayConfig;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
}

/**
 * The relay's own publishing path (`BrokerConnection` + `MqttSink`, default `Relay.publish`
 * settings) given the ceiling's messages as fast as it takes them; the sink is stopped on return.
 */
async function publishThrough(
  outbox: Outbox,
  broker: BenchBroker,
  spec: PublishSpec,
  { config, log, metrics }: RelayParts,
): Promise<PublishRun> {
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
    outbox,
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
