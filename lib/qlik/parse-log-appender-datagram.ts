import { nextEventId } from '../events.js';
import { copyWith } from '../hot-path/copy-with.js';
import { cleanField } from './clean-field.js';
import { decodeDatagram, namedDatagramFields } from './datagram-fields.js';
import {
  parseProblem as problem,
  shortenField as shorten,
  type DatagramParseResult,
} from './datagram-parse-result.js';
import { isGuid, isGuidOrEmpty } from './guid.js';
import type {
  DatagramSender,
  EngineReloadFailedData,
  EngineReloadFailedEvent,
  LogAppenderEvent,
  SchedulerEvent,
  SchedulerTaskData,
} from './log-appender-events.js';
import { isSchedulerKind, kindOfTag, type SchedulerKind } from './log-appender-tags.js';

export type { ParseProblem, ParseProblemReason } from './datagram-parse-result.js';

export type ParseResult = DatagramParseResult<LogAppenderEvent>;

const SCHEDULER_FIELDS = [
  'tag',
  'hostName',
  'taskName',
  'appName',
  'user',
  'taskId',
  'appId',
  'logTimeStamp',
  'logLevel',
  'executionId',
  'logMessage',
] as const;

const ENGINE_FIELDS = [
  'tag',
  'hostName',
  'appId',
  'sessionId',
  'userDirectory',
  'userId',
  'logTimeStamp',
  'logLevel',
  'logMessage',
] as const;

type FieldValues<Names extends readonly string[]> = Record<Names[number], string>;

/**
 * Turns one log-appender datagram into a typed event, or says why it cannot. Pure: no logging,
 * no metrics, never throws on any input.
 */
export function parseLogAppenderDatagram(
  bytes: Buffer,
  sender: DatagramSender,
  listener: string,
  receivedAt: number,
): ParseResult {
  const text = decodeDatagram(bytes);
  if (typeof text !== 'string') return text;

  const parts = text.split(';');
  const tag = cleanField(parts[0] ?? '').toLowerCase();
  const kind = kindOfTag(tag);
  if (kind === undefined) {
    return problem('unknown-type', `Unknown UDP message type: "${shorten(tag)}"`);
  }
  const names = isSchedulerKind(kind) ? SCHEDULER_FIELDS : ENGINE_FIELDS;
  if (parts.length < names.length) {
    const atLeast = kind === 'task.distribute' ? 'at least ' : '';
    return problem(
      'malformed',
      `${tag} expects ${atLeast}${names.length} fields, got ${parts.length}`,
    );
  }

  const named = namedDatagramFields(parts, names);
  const { cleanedFields, recovered } = named;
  const values: Record<string, string> = { ...named.values, tag };
  const common = { cleaned: cleanedFields.length > 0, recovered, sender };
  const source = `udp:${listener}`;

  if (isSchedulerKind(kind)) {
    const fields = values as FieldValues<typeof SCHEDULER_FIELDS>;
    const invalid = schedulerProblem(fields, recovered);
    if (invalid) return problem('malformed', `${tag}: ${invalid}`);
    const data: SchedulerTaskData = copyWith(fields, common);
    return { event: schedulerEvent(kind, data, source, receivedAt), cleanedFields };
  }
  const fields = values as FieldValues<typeof ENGINE_FIELDS>;
  if (!isGuidOrEmpty(fields.appId)) {
    return problem('malformed', `${tag}: app id "${shorten(fields.appId)}" is not a GUID`);
  }
  const data: EngineReloadFailedData = copyWith(fields, common);
  const event: EngineReloadFailedEvent = {
    id: nextEventId(),
    kind: 'engine.reload-failed',
    source,
    receivedAt,
    data,
  };
  return { event, cleanedFields };
}

/** Why the GUID-bearing fields rule the datagram out, or undefined when they are fine. */
function schedulerProblem(
  fields: FieldValues<typeof SCHEDULER_FIELDS>,
  recovered: boolean,
): string | undefined {
  // With surplus fields, a ';' in an earlier field would shift the ids out of place.
  const shifted = recovered ? ' (a ";" in a field before the log message shifts the fields)' : '';
  if (!isGuidOrEmpty(fields.taskId)) {
    return `task id "${shorten(fields.taskId)}" is not a GUID${shifted}`;
  }
  if (!isGuidOrEmpty(fields.appId)) {
    return `app id "${shorten(fields.appId)}" is not a GUID${shifted}`;
  }
  // Execution ids are GUIDs in practice; checked only when recovering, to catch a shift that
  // leaves both ids empty, while exact-count datagrams are judged as Butler judges them.
  if (recovered && fields.executionId !== '' && !isGuid(fields.executionId)) {
    return `execution id "${shorten(fields.executionId)}" is not a GUID${shifted}`;
  }
  return undefined;
}

function schedulerEvent(
  kind: SchedulerKind,
  data: SchedulerTaskData,
  source: string,
  receivedAt: number,
): SchedulerEvent {
  // Keyed by execution id so that resends and restarts give the same id.
  const id = data.executionId === '' ? nextEventId() : `${kind}:${data.executionId}`;
  return { id, kind, source, receivedAt, data };
}
