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
}

export type MqttMessageEvent = RelayEvent<'mqtt.message', MqttMessageData>;

/** Emits `mqtt.message` for every message on `topic` (a filter) of `broker` (default `main`). */
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
  return broker.messages(filter, { qos }).pipe(
    map((message) =>
      createEvent('mqtt.message', name, {
        topic: message.topic,
        payload: message.payload.toString('utf8'),
        retain: message.retain,
      }),
    ),
    takeUntil(context.stopping$),
  );
}
