import {
  formatLog4netTimestamp,
  formatSchedulerDatagram,
} from '../../lib/qlik/log-appender-datagram.js';
import { randomUUID } from 'node:crypto';
import { BENCH_APP_ID, BENCH_TASK_ID } from '../support/fake-repository.js';

/** Which load and datagram a message belongs to, and when it was sent. */
export interface SendMark {
  readonly loadId: number;
  readonly seq: number;
  /** `performance.now()` of the bench process at send time. */
  readonly sentAt: number;
}

const PREFIX = 'bench:';

/**
 * A failed-reload datagram as the scheduler sends it, with a fresh execution id (so none is a
 * duplicate) and the send mark in the task name, which comes back in both the basic and full
 * messages.
 */
export function failedReloadDatagram(mark: SendMark, logTime: Date): Buffer {
  return Buffer.from(
    formatSchedulerDatagram({
      hostName: 'bench-node',
      taskName: `${PREFIX}${mark.loadId}:${mark.seq}:${mark.sentAt.toFixed(3)}`,
      appName: 'Bench app',
      user: 'INTERNAL\\bench',
      taskId: BENCH_TASK_ID,
      appId: BENCH_APP_ID,
      logTimeStamp: formatLog4netTimestamp(logTime),
      executionId: randomUUID(),
    }),
  );
}

/** The send mark of a basic message (the task name itself). */
export function markOfTaskName(taskName: string): SendMark | undefined {
  if (!taskName.startsWith(PREFIX)) return undefined;
  const [loadId, seq, sentAt] = taskName.slice(PREFIX.length).split(':').map(Number);
  if (loadId === undefined || seq === undefined || sentAt === undefined) return undefined;
  if (!Number.isInteger(loadId) || !Number.isInteger(seq) || !Number.isFinite(sentAt)) {
    return undefined;
  }
  return { loadId, seq, sentAt };
}

/** The send mark of a full message, read without parsing the whole JSON. */
export function markOfFullPayload(json: string): SendMark | undefined {
  const key = '"taskName":"';
  const start = json.indexOf(key);
  if (start < 0) return undefined;
  const end = json.indexOf('"', start + key.length);
  return end < 0 ? undefined : markOfTaskName(json.slice(start + key.length, end));
}
