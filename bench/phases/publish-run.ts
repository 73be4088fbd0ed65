import { performance } from 'node:perf_hooks';
import { waitFor } from '../support/time.js';

/** One repetition of a publishing phase. */
export interface PublishRun {
  /** Acknowledged messages per second, from the first publish to the last acknowledgement. */
  msgsPerSecond: number | undefined;
  acked: number;
  /** Failed or dropped instead of acknowledged. */
  failed: number;
  /** Counted by a separate subscriber, to show that nothing acknowledged went missing. */
  received: number;
  seconds: number | undefined;
}

/** How long the subscriber may lag behind the last acknowledgement. */
const RECEIPT_GRACE_MS = 10_000;

export interface PublishProgress {
  acked: number;
  failed: number;
  lastAckAt: number | undefined;
}

/** Summarizes a publishing run once the subscriber has caught up (or given up). */
export async function publishRun(
  startedAt: number,
  progress: PublishProgress,
  expected: number,
  received: () => number,
): Promise<PublishRun> {
  await waitFor(() => received() >= expected, RECEIPT_GRACE_MS);
  const seconds =
    progress.lastAckAt === undefined ? undefined : (progress.lastAckAt - startedAt) / 1000;
  return {
    msgsPerSecond: seconds && seconds > 0 ? progress.acked / seconds : undefined,
    acked: progress.acked,
    failed: progress.failed,
    received: received(),
    seconds,
  };
}

export function newProgress(): PublishProgress {
  return { acked: 0, failed: 0, lastAckAt: undefined };
}

export function markAck(progress: PublishProgress, ok: boolean): void {
  if (ok) progress.acked += 1;
  else progress.failed += 1;
  progress.lastAckAt = performance.now();
}
