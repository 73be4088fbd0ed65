import type { FastifyInstance, FastifyRequest } from 'fastify';
import { nextEventId } from '../../events.js';
import type { Logger } from '../../log/logger.js';
import { isValidTopicFilter, isValidTopicName, topicMatchesFilter } from '../../mqtt/topics.js';
import type { MqttSink } from '../../sinks/mqtt-sink.js';
import { confirmAcceptance, type ConfirmedAs } from './confirm-acceptance.js';
import { RestRefusal } from './rest-refusal.js';

export const MQTT_PUBLISH_MESSAGE_PATH = '/v4/mqttpublishmessage';

/** The request body; Butler's schema, other properties allowed and echoed back. */
export interface PublishMessageBody {
  topic: string;
  message: string;
  [other: string]: unknown;
}

/** The main broker as the endpoint sees it; `disabled` when `Butler.mqttConfig.enable` is false. */
export type BrokerState = 'connected' | 'disconnected' | 'disabled';

export interface MqttPublishMessageOptions {
  sink: Pick<MqttSink, 'accept'>;
  brokerState: () => BrokerState;
  /** When to answer 201: once stored in the outbox, or once the broker acknowledged it. */
  confirm: ConfirmedAs;
  confirmTimeoutMs: number;
  /** Topic filters a message may be published to; empty = any publishable topic. */
  allowedTopics: readonly string[];
  log: Logger;
}

/** A lone surrogate cannot be encoded as UTF-8, so it would not arrive as sent. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Ajv formats the body schema names; fastify's validator is built with them. */
export const PUBLISH_MESSAGE_FORMATS = {
  // `$` topics are the broker's own (`$SYS/…`): a broker may take them and deliver nothing.
  'mqtt-topic-name': (topic: string): boolean => isValidTopicName(topic) && !topic.startsWith('$'),
  'utf8-text': (text: string): boolean => !LONE_SURROGATE.test(text),
} as const;

const BODY_SCHEMA = {
  type: 'object',
  required: ['topic', 'message'],
  properties: {
    topic: { type: 'string', minLength: 1, format: 'mqtt-topic-name' },
    message: { type: 'string', format: 'utf8-text' },
  },
} as const;

/**
 * `PUT /v4/mqttpublishmessage` `{ topic, message }`: publishes `message` to `topic` (retain false,
 * QoS `Relay.publish.qos`) and echoes the body with 201 once the message is safe. Also `POST` with
 * `X-HTTP-Method-Override: PUT`, since a Qlik load script can only GET and POST.
 */
export function mqttPublishMessageRoute(
  options: MqttPublishMessageOptions,
): (app: FastifyInstance) => void {
  const { sink, brokerState, confirm, confirmTimeoutMs, allowedTopics, log } = options;
  const invalid = allowedTopics.find((filter) => !isValidTopicFilter(filter));
  if (invalid !== undefined) {
    throw new Error(`Relay.rest.allowedTopics: "${invalid}" is not a valid MQTT topic filter`);
  }
  const allowed = (topic: string): boolean =>
    allowedTopics.length === 0 || allowedTopics.some((filter) => topicMatchesFilter(topic, filter));

  return (app) => {
    app.route<{ Body: PublishMessageBody }>({
      method: ['PUT', 'POST'],
      url: MQTT_PUBLISH_MESSAGE_PATH,
      schema: { body: BODY_SCHEMA },
      onRequest: async (request) => requireOverrideOnPost(request),
      handler: async (request, reply) => {
        const body = request.body;
        const { topic, message } = body;
        if (!allowed(topic)) {
          throw new RestRefusal(403, 'topic-not-allowed', `topic ${topic} is not allowed`);
        }
        const broker = brokerState();
        if (broker === 'disabled') {
          throw new RestRefusal(503, 'rejected', 'MQTT is disabled (Butler.mqttConfig.enable)');
        }
        // Held only in memory, a message for an absent broker is safe nowhere: refuse it now.
        if (confirm === 'delivered' && broker === 'disconnected') {
          throw new RestRefusal(503, 'not-connected', 'the MQTT broker is not connected');
        }
        const acceptance = sink.accept({
          topic,
          payload: message,
          retain: false,
          eventId: nextEventId(),
        });
        const confirmation = await confirmAcceptance(acceptance, confirm, confirmTimeoutMs);
        if (confirmation.status === 'timed-out') {
          throw new RestRefusal(
            503,
            'timeout',
            `the message was not ${confirm} within ${confirmTimeoutMs} ms; it may still be delivered`,
            false,
          );
        }
        if (confirmation.status === 'refused') {
          // The sink or publisher counted and reported this drop already.
          const { reason } = confirmation;
          const status = reason === 'too-large' ? 413 : 503;
          throw new RestRefusal(status, reason, `the message was not accepted: ${reason}`, false);
        }
        log.debug(
          {
            event: 'rest.published',
            topic,
            bytes: Buffer.byteLength(message),
            as: confirmation.as,
          },
          `published a REST message to ${topic}`,
        );
        return reply.code(201).header('X-Relay-Confirmed', confirmation.as).send(body);
      },
    });
  };
}

/** Butler's proxy turns POST into PUT only when asked to; a bare POST is no publish request. */
function requireOverrideOnPost(request: FastifyRequest): void {
  if (request.method !== 'POST') return;
  const override = request.headers['x-http-method-override'];
  if (typeof override !== 'string' || override.trim().toUpperCase() !== 'PUT') {
    throw new RestRefusal(
      405,
      'malformed',
      'POST needs the header X-HTTP-Method-Override: PUT; or send a PUT',
    );
  }
}
