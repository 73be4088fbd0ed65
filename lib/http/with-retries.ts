import { backoffDelay, type BackoffOptions } from '../actors/backoff.js';

/** How a client retries one request; the clients differ only in their errors and log lines. */
export interface RetryPolicy<E extends Error> {
  /** Tries in all, the first included; at least 1. */
  readonly attempts: number;
  readonly backoff: BackoffOptions;
  /** The client's own error for whatever an attempt threw. */
  readonly asError: (error: unknown) => E;
  readonly retryable: (error: E) => boolean;
  /** Told before each wait, e.g. to log the retry. */
  readonly onRetry: (error: E, attempt: number, delayMs: number) => void;
  /** The error to give up with after `attempts` tries; the last attempt's by default. */
  readonly giveUp?: (error: E, attempts: number) => Error;
}

/** Runs `attempt` until it succeeds, fails for good, or the attempts are spent, backing off between. */
export async function withRetries<T, E extends Error>(
  attempt: () => Promise<T>,
  policy: RetryPolicy<E>,
): Promise<T> {
  const attempts = Math.max(1, policy.attempts);
  for (let tried = 1; ; tried += 1) {
    try {
      return await attempt();
    } catch (thrown) {
      const error = policy.asError(thrown);
      if (tried >= attempts || !policy.retryable(error)) {
        throw policy.giveUp ? policy.giveUp(error, tried) : error;
      }
      const delayMs = backoffDelay(tried - 1, policy.backoff);
      policy.onRetry(error, tried, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
