import { map, takeUntil, type Observable } from 'rxjs';
import { createEvent, type QoS, type RelayEvent } from '../events.js';
import { isValidTopicFilter } from '../mqtt/topics.js';
import {
  PipelineDefinitionError,
  type PipelineContext,
  type SourceSpec,
} from '../pipeline/pipeline.js';

export interface MqttMessageData {
  readonly topic: string;
  /** The payload as UTF-8 text; binary payloads are not the relay's business. */
  readonly payload: string;
  readonly retain: boolean;
  /**
   * Present when the source spec says `manualAck: true`: the broker gets the message's PUBACK
   * only once this is called, and redelivers it to a persistent session after a crash until then.
   * Pipelines that share such a source must all be done before one of them calls it.
   */
  readonly ack?: () => void;
}

export type MqttMessageEvent = RelayEvent<'mqtt.message', MqttMessageData>;

/**
 * Emits `mqtt.message` for every message on `topic` (a filter) of `broker` (default `main`), at
 * `qos` (default 1); with `manualAck: true` each event carries `data.ack`.
 */
export function mqttTopicSource(
  spec: SourceSpec,
  context: PipelineContext,
): Observable<MqttMessageEvent> {
  const filter = spec.topic;
  if (typeof filter !== 'string' || !isValidTopicFilter(filter)) {
    throw new PipelineDefinitionError(
      'source.topic',
      `got ${JSON.stringify(filter)}, expected an MQTT topic filter`,
    );
  }
  const brokerName = typeof spec.broker === 'string' ? spec.broker : 'main';
  const broker = context.brokers.get(brokerName);
  if (!broker) {
    throw new PipelineDefinitionError(
      'source.broker',
      `no connection to broker "${brokerName}" (is MQTT enabled for it?)`,
    );
  }
  const qos = (spec.qos ?? 1) as QoS;
  const name = `mqtt:${brokerName}:${filter}`;
  const manualAck = spec.manualAck === true;
  const events = broker.messages(filter, { qos, manualAck }).pipe(
    map((message) =>
      createEvent('mqtt.message', name, {
        topic: message.topic,
        payload: message.payload.toString('utf8'),
        retain: message.retain,
        ...(manualAck && message.ack ? { ack: () => message.ack?.() } : {}),
      }),
    ),
  );
  return events.pipe(takeUntil(context.stopping$));
}
