import type { RelayEvent } from '../events.js';

/** Where a datagram came from. */
export interface DatagramSender {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** One raw log-appender datagram as the UDP source emits it (`kind: 'udp.datagram'`). */
export interface DatagramData {
  readonly bytes: Buffer;
  readonly sender: DatagramSender;
  /** Name of the listener, e.g. `tasks`. */
  readonly listener: string;
}

export type DatagramEvent = RelayEvent<'udp.datagram', DatagramData>;

/**
 * The fields of a scheduler datagram (`/scheduler-…/` tags), cleaned as Butler cleans them, named
 * as Butler names them. Field order on the wire: tag;hostName;taskName;appName;user;taskId;appId;
 * logTimeStamp;logLevel;executionId;logMessage.
 */
export interface SchedulerTaskData {
  /** The tag as received (lower-cased), e.g. `/scheduler-reload-failed/`. */
  readonly tag: string;
  readonly hostName: string;
  readonly taskName: string;
  /** Empty for tasks without an app (external program, user sync, distribute). */
  readonly appName: string;
  /** `DIRECTORY\userid`. */
  readonly user: string;
  readonly taskId: string;
  readonly appId: string;
  /** log4net `%date` in local time, e.g. `2025-03-14 06:00:41,512`. */
  readonly logTimeStamp: string;
  readonly logLevel: string;
  readonly executionId: string;
  readonly logMessage: string;
  /** True when cleaning removed control characters or cut a field to 500 characters. */
  readonly cleaned: boolean;
  /** True when extra `;` in the last field were kept as part of the log message. */
  readonly recovered: boolean;
  readonly sender: DatagramSender;
}

/** The fields of the legacy `/engine-reload-failed/` datagram (9 fields). */
export interface EngineReloadFailedData {
  readonly tag: string;
  readonly hostName: string;
  readonly appId: string;
  readonly sessionId: string;
  readonly userDirectory: string;
  readonly userId: string;
  readonly logTimeStamp: string;
  readonly logLevel: string;
  readonly logMessage: string;
  readonly cleaned: boolean;
  readonly recovered: boolean;
  readonly sender: DatagramSender;
}

export type TaskFailedEvent = RelayEvent<'task.failed', SchedulerTaskData>;
export type TaskAbortedEvent = RelayEvent<'task.aborted', SchedulerTaskData>;
export type TaskSucceededEvent = RelayEvent<'task.success', SchedulerTaskData>;
export type TaskDistributedEvent = RelayEvent<'task.distribute', SchedulerTaskData>;
export type EngineReloadFailedEvent = RelayEvent<'engine.reload-failed', EngineReloadFailedData>;

/** Every event parsed from the task log-appender port. */
export type LogAppenderEvent =
  | TaskFailedEvent
  | TaskAbortedEvent
  | TaskSucceededEvent
  | TaskDistributedEvent
  | EngineReloadFailedEvent;

export type SchedulerEvent = Exclude<LogAppenderEvent, EngineReloadFailedEvent>;
