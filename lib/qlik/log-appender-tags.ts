import type { LogAppenderEvent, SchedulerEvent } from './log-appender-events.js';

export type LogAppenderKind = LogAppenderEvent['kind'];
export type SchedulerKind = SchedulerEvent['kind'];

/**
 * Every tag (field 0, lower-cased) accepted on the task port and the event kind it becomes.
 * Legacy tags stay because Sense nodes keep sending them until their appender XML is replaced;
 * `/scheduler-task-success//` is what the widely copied sample XML sends.
 */
const KIND_BY_TAG: ReadonlyMap<string, LogAppenderKind> = new Map([
  ['/scheduler-task-failed/', 'task.failed'],
  ['/scheduler-reload-failed/', 'task.failed'],
  ['/scheduler-reloadtask-failed/', 'task.failed'],
  ['/scheduler-task-aborted/', 'task.aborted'],
  ['/scheduler-reload-aborted/', 'task.aborted'],
  ['/scheduler-task-success/', 'task.success'],
  ['/scheduler-task-success//', 'task.success'],
  ['/scheduler-reloadtask-success/', 'task.success'],
  ['/scheduler-distribute/', 'task.distribute'],
  ['/engine-reload-failed/', 'engine.reload-failed'],
]);

/** The tag the current log appender XML intends for each kind. */
export const TAG_OF_KIND: Readonly<Record<LogAppenderKind, string>> = {
  'task.failed': '/scheduler-task-failed/',
  'task.aborted': '/scheduler-task-aborted/',
  'task.success': '/scheduler-task-success/',
  'task.distribute': '/scheduler-distribute/',
  'engine.reload-failed': '/engine-reload-failed/',
};

/** Field count of a scheduler datagram: tag plus ten log4net properties. */
export const SCHEDULER_FIELD_COUNT = 11;
/** Field count of the legacy engine datagram. */
export const ENGINE_FIELD_COUNT = 9;

/** The event kind for a cleaned, lower-cased tag; undefined for an unknown tag. */
export function kindOfTag(tag: string): LogAppenderKind | undefined {
  return KIND_BY_TAG.get(tag);
}

export function isSchedulerKind(kind: LogAppenderKind): kind is SchedulerKind {
  return kind !== 'engine.reload-failed';
}
