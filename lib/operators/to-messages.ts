import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OutboundMessage, QoS, RelayEvent } from '../events.js';
import { compileTemplate } from '../pipeline/template.js';
import { compileMatch, type EventMatch } from './event-match.js';

/** One output of a pipeline: where an event goes and what it looks like there. */
export interface Route<E extends RelayEvent = RelayEvent> {
  /** A topic, or a template such as `sense/{{data.host}}/status`, or a function. */
  readonly topic: string | ((event: E) => string);
  /** A template (default `json`: the event data as compact JSON) or a function. */
  readonly payload?: string | ((event: E) => string | Buffer);
  readonly qos?: QoS;
  readonly retain?: boolean;
  readonly broker?: string;
  readonly expirySeconds?: number;
  /** Only events that match take this route. */
  readonly when?: EventMatch;
}

/** Turns each event into one message per route it takes; events no route takes yield nothing. */
export function toMessages<E extends RelayEvent>(
  routes: readonly Route<E>[],
): OperatorFunction<E, OutboundMessage> {
  const compiled = routes.map((route) => {
    const topic = typeof route.topic === 'function' ? route.topic : compileTemplate(route.topic);
    const payload =
      typeof route.payload === 'function'
        ? route.payload
        : compileTemplate(route.payload ?? 'json');
    const applies = route.when ? compileMatch(route.when) : () => true;
    return { route, topic, payload, applies };
  });
  return mergeMap((event: E) =>
    compiled
      .filter(({ applies }) => applies(event))
      .map(({ route, topic, payload }): OutboundMessage => ({
        topic: topic(event),
        payload: payload(event),
        eventId: event.id,
        ...(route.qos === undefined ? {} : { qos: route.qos }),
        ...(route.retain === undefined ? {} : { retain: route.retain }),
        ...(route.broker === undefined ? {} : { broker: route.broker }),
        ...(route.expirySeconds === undefined ? {} : { expirySeconds: route.expirySeconds }),
      })),
  );
}
