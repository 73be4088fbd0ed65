import type { PublishOutcome } from '../../lib/events.js';
import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { MqttPublisher } from '../../lib/sinks/mqtt-publisher.js';
import { whenState } from '../support/connection-state.js';
import { startMosquitto } from '../support/mosquitto.js';
import { testPublishOptions } from '../support/publish-options.js';
import { TestSubscriber } from '../support/subscriber.js';
import { metricValue } from '../support/metrics.js';
import { openTestConnection } from '../support/test-connection.js';
import { waitUntil } from '../support/wait-until.js';
import { memoryOutbox } from '../support/memory-outbox.js';

export interface BrokerOutageOptions {
  /** How long the broker stays down. */
  outageSeconds: number;
  /** Messages handed to the publisher per second, before, during and after the outage. */
  messagesPerSecond?: number;
  inFlight?: number;
}

export interface BrokerOutageResult {
  /** Payloads in the order they were handed over. */
  sent: string[];
  outcomes: PublishOutcome[];
  /** Payloads in the order the subscriber got them (a resend may repeat one). */
  received: string[];
  /** Messages handed over while the broker was down. */
  sentDuringOutage: number;
  retries: number;
}

const TOPIC = 'relay/outage';
const TICK_MS = 10;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A steady stream of messages through a publisher while its broker is stopped (SIGTERM) and
 * started again on the same port. A persistent-session subscriber (the broker keeps its session on
 * disk) collects what arrives. Run by spec/sinks/broker-outage.spec.ts with `OUTAGE_SECONDS`.
 */
export async function runBrokerOutageScenario(
  options: BrokerOutageOptions,
): Promise<BrokerOutageResult> {
  const { outageSeconds, messagesPerSecond = 200, inFlight = 10 } = options;
  const broker = await startMosquitto({ persistence: true });
  const subscriber = await TestSubscriber.connect(broker.url, [TOPIC], {
    protocolVersion: 4,
    clean: false,
    clientId: `outage-watcher-${process.pid}`,
  });
  const { connection, logs, metrics } = openTestConnection(
    standardBrokerOptions({ host: broker.host, port: broker.port, protocolVersion: 5 }),
    { reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } },
  );
  const publisher = new MqttPublisher({
    broker: 'main',
    topic: TOPIC,
    connection,
    options: testPublishOptions({ inFlight }),
    outbox: memoryOutbox(logs.log, metrics),
    log: logs.log,
    metrics,
  });
  const sent: string[] = [];
  const outcomes: Promise<PublishOutcome>[] = [];
  const perTick = Math.max(1, Math.round((messagesPerSecond * TICK_MS) / 1_000));
  const produce = (): void => {
    for (let i = 0; i < perTick; i++) {
      const payload = `m${sent.length}`;
      sent.push(payload);
      outcomes.push(publisher.publish({ topic: TOPIC, payload }));
    }
  };

  try {
    await whenState(connection, 'connected');
    const producer = setInterval(produce, TICK_MS);
    let sentDuringOutage = 0;
    try {
      await sleep(500);
      await broker.stop();
      const outageStart = sent.length;
      await sleep(outageSeconds * 1_000);
      sentDuringOutage = sent.length - outageStart;
      await broker.start();
      await sleep(500);
    } finally {
      clearInterval(producer);
    }
    const settled = await Promise.all(outcomes);
    await waitUntil(
      () => new Set(subscriber.payloads(TOPIC)).size >= sent.length,
      `${sent.length} distinct messages at the subscriber`,
      15_000,
    );
    return {
      sent,
      outcomes: settled,
      received: subscriber.payloads(TOPIC),
      sentDuringOutage,
      retries: await metricValue(metrics, 'relay_publish_retries_total', { broker: 'main' }),
    };
  } finally {
    publisher.stop();
    await connection.close(1_000);
    await subscriber.close();
    await broker.stop();
  }
}
