import type { EngineReloadFailedData, SchedulerTaskData } from './log-appender-events.js';
import { TAG_OF_KIND, type SchedulerKind } from './log-appender-tags.js';

/** The text fields of parsed data as a datagram carries them: no tag, nothing the parser adds. */
type WireFields<Data> = Omit<Data, 'tag' | 'cleaned' | 'recovered' | 'sender'>;

/** `Fields` with the `Defaulted` ones optional. */
type WithDefaults<Fields, Defaulted extends keyof Fields> = Omit<Fields, Defaulted> &
  Partial<Pick<Fields, Defaulted>>;

/** What a scheduler datagram carries; the optional fields default to what Sense sends. */
export interface SchedulerDatagramFields extends WithDefaults<
  WireFields<SchedulerTaskData>,
  'appName' | 'appId' | 'logLevel' | 'logMessage'
> {
  /** Defaults to `task.failed`. */
  readonly kind?: SchedulerKind;
  /** Overrides the tag of `kind`, e.g. a legacy `/scheduler-reload-failed/`. */
  readonly tag?: string;
}

/** What an engine reload-failed datagram carries; level and message default to what Sense sends. */
export type EngineReloadFailedDatagramFields = WithDefaults<
  WireFields<EngineReloadFailedData>,
  'logLevel' | 'logMessage'
>;

/** Level and text of the log line that makes each appender fire (its filter string). */
const TYPICAL_LINE: Readonly<Record<SchedulerKind, { level: string; message: string }>> = {
  'task.failed': { level: 'ERROR', message: 'Max retries reached' },
  'task.aborted': { level: 'INFO', message: 'Execution State Change to Aborting' },
  'task.success': { level: 'INFO', message: 'Execution State Change to FinishedSuccess' },
  'task.distribute': { level: 'INFO', message: 'Exiting execute of Distribute task request.' },
};

/**
 * The datagram text the scheduler's log appender would send for these fields. Fields are joined
 * with ';' unescaped, as log4net does: a ';' in any field but the log message yields a datagram
 * the parser rejects, just as a real one would be.
 */
export function formatSchedulerDatagram(fields: SchedulerDatagramFields): string {
  const kind = fields.kind ?? 'task.failed';
  const typical = TYPICAL_LINE[kind];
  return [
    fields.tag ?? TAG_OF_KIND[kind],
    fields.hostName,
    fields.taskName,
    fields.appName ?? '',
    fields.user,
    fields.taskId,
    fields.appId ?? '',
    fields.logTimeStamp,
    fields.logLevel ?? typical.level,
    fields.executionId,
    fields.logMessage ?? typical.message,
  ].join(';');
}

/** The datagram text of the legacy engine appender for these fields. */
export function formatEngineReloadFailedDatagram(fields: EngineReloadFailedDatagramFields): string {
  return [
    TAG_OF_KIND['engine.reload-failed'],
    fields.hostName,
    fields.appId,
    fields.sessionId,
    fields.userDirectory,
    fields.userId,
    fields.logTimeStamp,
    fields.logLevel ?? 'ERROR',
    fields.logMessage ?? 'Reload failed',
  ].join(';');
}

/** log4net's `%date` in local time: `2025-03-14 06:00:41,512`. */
export function formatLog4netTimestamp(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time},${pad(date.getMilliseconds(), 3)}`;
}
