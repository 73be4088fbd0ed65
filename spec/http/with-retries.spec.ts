import { describe, expect, it } from '@jest/globals';
import { withRetries, type RetryPolicy } from '../../lib/http/with-retries.js';

class Failure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

function policy(attempts: number, retried: [string, number][]): RetryPolicy<Failure> {
  return {
    attempts,
    backoff: { initialDelayMs: 1, maxDelayMs: 1 },
    asError: (error) => (error instanceof Failure ? error : new Failure(String(error), true)),
    retryable: (failure) => failure.retryable,
    onRetry: (failure, attempt) => retried.push([failure.message, attempt]),
    giveUp: (failure, tried) => new Error(`${failure.message} after ${tried} attempt(s)`),
  };
}

/** Fails with each of `failures` in turn, then answers `done`. */
function flaky(failures: Failure[]): () => Promise<string> {
  return () => {
    const next = failures.shift();
    return next ? Promise.reject(next) : Promise.resolve('done');
  };
}

describe('withRetries', () => {
  it('tries again after a retryable failure, and says so before each wait', async () => {
    const retried: [string, number][] = [];
    const answer = withRetries(
      flaky([new Failure('503', true), new Failure('timeout', true)]),
      policy(3, retried),
    );
    await expect(answer).resolves.toBe('done');
    expect(retried).toEqual([
      ['503', 1],
      ['timeout', 2],
    ]);
  });

  it('gives up after the last attempt, with the error the policy makes of it', async () => {
    const retried: [string, number][] = [];
    const failures = [1, 2, 3].map((n) => new Failure(`503 #${n}`, true));
    await expect(withRetries(flaky(failures), policy(2, retried))).rejects.toThrow(
      '503 #2 after 2 attempt(s)',
    );
    expect(retried).toEqual([['503 #1', 1]]);
  });

  it('stops at once on a failure that is not retryable', async () => {
    const retried: [string, number][] = [];
    const answer = withRetries(flaky([new Failure('404', false)]), policy(5, retried));
    await expect(answer).rejects.toThrow('404 after 1 attempt(s)');
    expect(retried).toEqual([]);
  });
});
