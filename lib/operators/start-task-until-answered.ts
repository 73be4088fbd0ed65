import { defer, retry, takeUntil, timer, type Observable } from 'rxjs';
import { backoffDelay, type BackoffOptions } from '../actors/backoff.js';
import { QrsError } from '../qrs/qrs-error.js';
import type { RepositoryService, StartTaskResult } from '../qrs/repository-service.js';
import {
  allowsById,
  allowsByMetadata,
  needsTaskMetadata,
  type TaskAllowList,
} from './task-allow-list.js';

/** A definite answer to one task start. */
export type TaskStartOutcome =
  | { readonly taskId: string; readonly started: true; readonly outcome: 'started' }
  | {
      readonly taskId: string;
      readonly started: false;
      readonly outcome: 'not-found' | 'not-allowed' | 'failed';
      readonly reason: string;
      /** The Repository Service's HTTP status, when it answered with one. */
      readonly status?: number;
    };

export interface StartTaskUntilAnsweredOptions {
  readonly repository: RepositoryService;
  /** `Butler.startTaskFilter` when enabled. */
  readonly allowList?: TaskAllowList;
  readonly retry: BackoffOptions;
  /** Gives up (without an outcome) when it emits, or has emitted: a replaying stop signal. */
  readonly stop$: Observable<unknown>;
  /** Told before every wait for another try. */
  readonly onRetry?: (taskId: string, reason: string, delayMs: number) => void;
}

/** The Repository Service did not answer this time; the same request may work later. */
class NotAnswered extends Error {}

/**
 * Starts one task and emits its outcome once the Repository Service gave a definite answer:
 * started (204), or a refusal such as 404 or the allow-list. While it cannot answer (no
 * connection, time-out, 5xx, 408, 429) it tries again with back-off, for as long as it takes,
 * and completes without emitting when `stop$` fires first.
 */
export function startTaskUntilAnswered(
  taskId: string,
  options: StartTaskUntilAnsweredOptions,
): Observable<TaskStartOutcome> {
  return defer(() => attemptStart(taskId, options)).pipe(
    retry({
      delay: (error: unknown, retryCount) => {
        if (!(error instanceof NotAnswered)) throw error;
        const delayMs = backoffDelay(retryCount - 1, options.retry);
        options.onRetry?.(taskId, error.message, delayMs);
        return timer(delayMs);
      },
    }),
    takeUntil(options.stop$),
  );
}

async function attemptStart(
  taskId: string,
  options: StartTaskUntilAnsweredOptions,
): Promise<TaskStartOutcome> {
  const refusal = await allowListRefusal(taskId, options);
  if (refusal) return refusal;
  const result: StartTaskResult = await options.repository.startTask(taskId);
  if (result.started) return { taskId, started: true, outcome: 'started' };
  if (result.status === undefined || isTransientStatus(result.status)) {
    throw new NotAnswered(result.reason);
  }
  return {
    taskId,
    started: false,
    outcome: result.status === 404 ? 'not-found' : 'failed',
    reason: result.reason,
    status: result.status,
  };
}

async function allowListRefusal(
  taskId: string,
  { allowList, repository }: StartTaskUntilAnsweredOptions,
): Promise<TaskStartOutcome | undefined> {
  if (!allowList || allowsById(allowList, taskId)) return undefined;
  const notAllowed: TaskStartOutcome = {
    taskId,
    started: false,
    outcome: 'not-allowed',
    reason: 'not allowed by Butler.startTaskFilter',
  };
  if (!needsTaskMetadata(allowList)) return notAllowed;
  let task;
  try {
    task = await repository.getTaskFull(taskId);
  } catch (error) {
    const status = error instanceof QrsError ? error.status : undefined;
    const reason = error instanceof Error ? error.message : String(error);
    if (status === undefined || isTransientStatus(status)) throw new NotAnswered(reason);
    return { taskId, started: false, outcome: 'failed', reason, status };
  }
  if (task === undefined) {
    return {
      taskId,
      started: false,
      outcome: 'not-found',
      reason: `task ${taskId} not found in the Repository Service`,
    };
  }
  return allowsByMetadata(allowList, task) ? undefined : notAllowed;
}

/** Statuses that say "not now" rather than "no". */
function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
