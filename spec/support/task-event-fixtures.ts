import { createEvent } from '../../lib/events.js';
import type {
  SchedulerTaskData,
  TaskAbortedEvent,
  TaskFailedEvent,
} from '../../lib/qlik/log-appender-events.js';

/** Example datagrams of facts 2.8, as log4net sends them. */
export const DATAGRAMS = {
  failed: String.raw`/scheduler-task-failed/;qs-node1.corp.example.com;Reload - Sales Dashboard;Sales Dashboard;INTERNAL\sa_scheduler;2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10;7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d;2025-03-14 06:00:41,512;ERROR;a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7;Max retries reached. Task will not be retried.`,
  failedFinance: String.raw`/scheduler-task-failed/;QS-NODE2;Nightly finance load;Finance KPIs (prod);CORP\svc_qlik;0b5e7f3c-91a2-4d8e-b6c4-2f1a0e9d8c7b;d3c2b1a0-4f5e-4d6c-8b7a-9e8f7a6b5c4d;2025-03-15 02:10:07,003;ERROR;5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9;Max retries reached`,
  failedPreload: String.raw`/scheduler-task-failed/;qs-node3.corp.example.com;Preload Sales Dashboard;;INTERNAL\sa_scheduler;3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f;;2025-03-16 05:00:02,118;ERROR;0f1e2d3c-4b5a-4697-8877-665544332211;Failed to start session for preload task`,
  aborted: String.raw`/scheduler-task-aborted/;qs-node1.corp.example.com;Reload - Sales Dashboard;Sales Dashboard;CORP\qlikadmin;2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10;7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d;2025-03-14 09:31:12,907;INFO;b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e;Execution State Change to Aborting`,
} as const;

/** The fields of a scheduler datagram in wire order: the test's own reading, not the parser's. */
export const SCHEDULER_WIRE_ORDER = [
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

/** The fields of a scheduler datagram by Butler's names. */
export type SchedulerFields = Record<(typeof SCHEDULER_WIRE_ORDER)[number], string>;

/** Splits a scheduler datagram by hand: the test's own reading, not the relay's parser. */
export function schedulerFields(datagram: string): SchedulerFields {
  const parts = datagram.split(';');
  const count = SCHEDULER_WIRE_ORDER.length;
  if (parts.length < count) throw new Error(`not a scheduler datagram: ${datagram}`);
  // log4net does not escape ';', so anything past the tenth separator is the message.
  const values = [...parts.slice(0, count - 1), parts.slice(count - 1).join(';')];
  return Object.fromEntries(
    SCHEDULER_WIRE_ORDER.map((name, i) => [name, values[i]]),
  ) as SchedulerFields;
}

/** The fields of a clean 11-field scheduler datagram, in wire order (no parser involved). */
export function schedulerData(datagram: string): SchedulerTaskData {
  return {
    ...schedulerFields(datagram),
    cleaned: false,
    recovered: false,
    sender: { address: '10.0.0.11', port: 52000, family: 'IPv4' },
  };
}

function taskEvent<K extends 'task.failed' | 'task.aborted'>(
  kind: K,
  datagram: string,
  id: string,
) {
  return { ...createEvent(kind, 'udp:tasks', schedulerData(datagram), id), receivedAt: 0 };
}

export function failedEvent(datagram: string, id: string): TaskFailedEvent {
  return taskEvent('task.failed', datagram, id);
}

export function abortedEvent(datagram: string, id: string): TaskAbortedEvent {
  return taskEvent('task.aborted', datagram, id);
}
