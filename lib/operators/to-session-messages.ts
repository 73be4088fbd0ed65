import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OutboundMessage } from '../events.js';
import type {
  ProxySessionData,
  ProxySessionEvent,
  ProxySessionKind,
} from '../qlik/proxy-session-events.js';
import { formatSender } from './format-sender.js';

export interface SessionMessageOptions {
  /** Butler's topic of each kind (`sessionStartTopic`, …, `connectionCloseTopic`). */
  readonly topics: Readonly<Record<ProxySessionKind, string>>;
  /** Every event as compact JSON on this one topic; '' = none. */
  readonly jsonTopic: string;
}

/**
 * Butler's message for each session or connection event, `<host>: <directory>/<user id>` on the
 * kind's topic, then (with `jsonTopic`) the event with every field as compact JSON. Neither is
 * retained: they are events, not state.
 */
export function toSessionMessages(
  options: SessionMessageOptions,
): OperatorFunction<ProxySessionEvent, OutboundMessage> {
  return mergeMap((event) => {
    const messages: OutboundMessage[] = [
      {
        topic: options.topics[event.kind],
        payload: butlerSessionPayload(event.data),
        eventId: event.id,
      },
    ];
    if (options.jsonTopic !== '') {
      messages.push({ topic: options.jsonTopic, payload: sessionJson(event), eventId: event.id });
    }
    return messages;
  });
}

/** `qs-node1.corp.example.com: CORP/jdoe`, as Butler writes it. */
export function butlerSessionPayload(data: ProxySessionData): string {
  return `${data.hostName}: ${data.userDirectory}/${data.userId}`;
}

function sessionJson(event: ProxySessionEvent): string {
  const { data } = event;
  return JSON.stringify({
    kind: event.kind,
    tag: data.tag,
    hostName: data.hostName,
    command: data.command,
    userDirectory: data.userDirectory,
    userId: data.userId,
    origin: data.origin,
    context: data.context,
    logMessage: data.logMessage,
    cleaned: data.cleaned,
    recovered: data.recovered,
    sender: formatSender(data.sender),
    receivedAt: new Date(event.receivedAt).toISOString(),
    eventId: event.id,
  });
}
