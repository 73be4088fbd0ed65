import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OutboundMessage } from '../events.js';
import { topicLevelOf } from '../mqtt/topic-level.js';
import type { ActiveUsers } from './active-user-sessions.js';
import type { ActiveUsersUpdate } from './track-active-users.js';

export interface ActiveUserMessageOptions {
  readonly topics: {
    /** `Butler.mqttConfig.activeUserCountTopic`: the number of active users. */
    readonly count: string;
    /** `Butler.mqttConfig.activeUsersTopic`: a JSON array of their user ids. */
    readonly usernames: string;
    /** Each proxy's count goes to `<perServerRoot>/<host>/count`. */
    readonly perServerRoot: string;
    /** Count, users with directories and servers as one JSON message; '' = none. */
    readonly full: string;
  };
}

/**
 * Butler's active-user messages, retained: per proxy the count, the total, the user ids (emitted
 * in Butler's order, though each topic's publisher keeps only the order within its topic), and
 * the relay's JSON summary. After a change only what changed goes out, a proxy left with nobody
 * saying `0` once; a republish says everything.
 */
export function toActiveUserMessages(
  options: ActiveUserMessageOptions,
): OperatorFunction<ActiveUsersUpdate, OutboundMessage> {
  const { topics } = options;
  const retained = (topic: string, payload: string): OutboundMessage => ({
    topic,
    payload,
    retain: true,
  });
  return mergeMap(({ active, previous, republish }) => {
    const messages: OutboundMessage[] = [];
    const hosts = new Set([...previous.perServer.keys(), ...active.perServer.keys()]);
    for (const host of hosts) {
      const count = active.perServer.get(host) ?? 0;
      if (republish || count !== (previous.perServer.get(host) ?? 0)) {
        const topic = `${topics.perServerRoot}/${topicLevelOf(host)}/count`;
        messages.push(retained(topic, String(count)));
      }
    }
    if (republish || active.users.length !== previous.users.length) {
      messages.push(retained(topics.count, String(active.users.length)));
    }
    const usernames = usernamesPayload(active);
    if (republish || usernames !== usernamesPayload(previous)) {
      messages.push(retained(topics.usernames, usernames));
    }
    const full = fullPayload(active);
    if (topics.full !== '' && (republish || full !== fullPayload(previous))) {
      messages.push(retained(topics.full, full));
    }
    return messages;
  });
}

/** Butler's list: the user ids only, compact JSON, `[]` when nobody is active. */
export function usernamesPayload(active: ActiveUsers): string {
  return JSON.stringify(active.users.map((user) => user.userId));
}

function fullPayload(active: ActiveUsers): string {
  return JSON.stringify({
    count: active.users.length,
    users: active.users,
    servers: Object.fromEntries(active.perServer),
  });
}
