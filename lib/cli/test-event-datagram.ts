import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  formatLog4netTimestamp,
  formatSchedulerDatagram,
  type SchedulerDatagramFields,
} from '../qlik/log-appender-datagram.js';
import type { SchedulerKind } from '../qlik/log-appender-tags.js';

/** The event types `send-test-event --type` offers, as the scheduler's appenders name them. */
export const TEST_EVENT_TYPES = ['failed', 'aborted', 'success', 'distribute'] as const;
export type TestEventType = (typeof TEST_EVENT_TYPES)[number];

const KIND_OF_TYPE: Readonly<Record<TestEventType, SchedulerKind>> = {
  failed: 'task.failed',
  aborted: 'task.aborted',
  success: 'task.success',
  distribute: 'task.distribute',
};

export interface TestEventRequest {
  readonly type: TestEventType;
  /** Default: a new random GUID. */
  readonly taskId?: string;
  /** Default: a new random GUID, or none for a distribute task (which has no app). */
  readonly appId?: string;
  readonly taskName?: string;
}

export interface TestEventDatagram {
  readonly kind: SchedulerKind;
  readonly fields: SchedulerDatagramFields;
  readonly text: string;
}

/**
 * The datagram the scheduler's log appender would send for such a task event now: this machine's
 * host name, a fresh execution id, the current time in log4net's format.
 */
export function testEventDatagram(
  request: TestEventRequest,
  now: Date = new Date(),
): TestEventDatagram {
  const kind = KIND_OF_TYPE[request.type];
  const hasApp = request.type !== 'distribute' || request.appId !== undefined;
  const fields: SchedulerDatagramFields = {
    kind,
    hostName: hostname(),
    taskName: request.taskName ?? `sense-mqtt-relay test ${request.type} task`,
    appName: hasApp ? 'sense-mqtt-relay test app' : '',
    user: 'INTERNAL\\sa_scheduler',
    taskId: request.taskId ?? randomUUID(),
    appId: hasApp ? (request.appId ?? randomUUID()) : '',
    logTimeStamp: formatLog4netTimestamp(now),
    executionId: randomUUID(),
  };
  return { kind, fields, text: formatSchedulerDatagram(fields) };
}
