import { nextEventId } from '../events.js';
import { copyWith } from '../hot-path/copy-with.js';
import { cleanField } from './clean-field.js';
import { decodeDatagram, namedDatagramFields } from './datagram-fields.js';
import { parseProblem, shortenField, type DatagramParseResult } from './datagram-parse-result.js';
import type { DatagramSender } from './log-appender-events.js';
import {
  PROXY_COMMANDS,
  PROXY_FIELD_COUNT,
  isProxyTag,
  kindOfCommand,
} from './proxy-session-commands.js';
import type { ProxySessionData, ProxySessionEvent } from './proxy-session-events.js';

const FIELDS = [
  'tag',
  'hostName',
  'command',
  'userDirectory',
  'userId',
  'origin',
  'context',
  'logMessage',
] as const;

/** Without these no user can be tracked, nor a Butler payload written. */
const REQUIRED = ['hostName', 'userDirectory', 'userId'] as const;

/**
 * Turns one proxy log-appender datagram into a session or connection event, or says why it
 * cannot. Unlike Butler it checks the tag, the field count and that the command belongs to the
 * tag; a `;` in the log message is kept. Pure: no logging, no metrics, never throws on any input.
 */
export function parseProxySessionDatagram(
  bytes: Buffer,
  sender: DatagramSender,
  listener: string,
  receivedAt: number,
): DatagramParseResult<ProxySessionEvent> {
  const text = decodeDatagram(bytes);
  if (typeof text !== 'string') return text;

  const parts = text.split(';');
  const tag = cleanField(parts[0] ?? '').toLowerCase();
  if (!isProxyTag(tag)) {
    return parseProblem('unknown-type', `Unknown UDP message type: "${shortenField(tag)}"`);
  }
  if (parts.length < PROXY_FIELD_COUNT) {
    return parseProblem(
      'malformed',
      `${tag} expects at least ${PROXY_FIELD_COUNT} fields, got ${parts.length}`,
    );
  }
  const { values, cleanedFields, recovered } = namedDatagramFields(parts, FIELDS);
  const kind = kindOfCommand(values.command);
  if (kind === undefined) {
    return parseProblem(
      'unknown-type',
      `${tag}: unknown command "${shortenField(values.command)}"`,
    );
  }
  if (PROXY_COMMANDS[kind].tag !== tag) {
    return parseProblem(
      'malformed',
      `${tag}: command "${values.command}" comes with ${PROXY_COMMANDS[kind].tag}`,
    );
  }
  const missing = REQUIRED.filter((name) => values[name] === '');
  if (missing.length > 0) {
    return parseProblem('malformed', `${tag}: no ${missing.join(', ')}`);
  }
  const data: ProxySessionData = copyWith(values, {
    tag,
    cleaned: cleanedFields.length > 0,
    recovered,
    sender,
  });
  // No field identifies one event (the datagram has no id), so every one gets a fresh id.
  const event: ProxySessionEvent = {
    id: nextEventId(),
    kind,
    source: `udp:${listener}`,
    receivedAt,
    data,
  };
  return { event, cleanedFields };
}
