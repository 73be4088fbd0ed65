import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
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

/**
 * What the broker and MQTT.js can do at best: a bare QoS 1 loop keeping `window` publishes
 * awaiting PUBACK, with nothing else in the process.
 */
export async function measureBrokerCeiling(
  broker: BenchBroker,
  spec: PublishSpec,
): Promise<PublishRun> {
  const topic = `bench/ceiling/${randomUUID()}`;
  const subscriber = await BenchSubscriber.connect(broker.url, [topic]);
  let received = 0;
  subscriber.handler = () => (received += 1);
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  client.on('error', () => undefined); // failures show in the counts
  try {
    const progress = newProgress();
    const payload = Buffer.alloc(spec.payloadBytes, 'x');
    const startedAt = performance.now();
    await withTimeout(publishWindowed(client, topic, payload, spec, progress), spec.timeoutMs);
    return await publishRun(startedAt, progress, spec.messages, () => received);
  } finally {
    await client.endAsync(true);
    await subscriber.close();
  }
}

function publishWindowed(
  client: MqttClient,
  topic: string,
  payload: Buffer,
  spec: PublishSpec,
  progress: PublishProgress,
): Promise<void> {
  return new Promise((resolve) => {
    let started = 0;
    const next = (): void => {
      if (started >= spec.messages) {
        if (progress.acked + progress.failed >= spec.messages) resolve();
        return;
      }
      started += 1;
      client.publish(topic, payload, { qos: 1 }, (error) => {
        markAck(progress, !error);
        next();
      });
    };
    for (let i = 0; i < Math.min(spec.window, spec.messages); i += 1) next();
  });
}
