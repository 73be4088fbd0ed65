import type { Observable, Subscription } from 'rxjs';

export interface Collected<T> {
  readonly values: T[];
  readonly errors: unknown[];
  readonly subscription: Subscription;
  /** Resolves with the first value (already seen or still to come) that matches. */
  next(match: (value: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves with the error the observable ends with. */
  error(timeoutMs?: number): Promise<unknown>;
}

/** Subscribes and keeps everything the observable emits, for assertions on live sockets. */
export function collect<T>(source: Observable<T>): Collected<T> {
  const values: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((waiter) => waiter());
  const subscription = source.subscribe({
    next: (value) => {
      values.push(value);
      wake();
    },
    error: (err: unknown) => {
      errors.push(err);
      wake();
    },
  });

  const waitFor = <R>(find: () => R | undefined, what: string, timeoutMs = 3000) =>
    new Promise<R>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        finish();
        resolve(found);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    values,
    errors,
    subscription,
    next: (match, timeoutMs) => waitFor(() => values.find(match), 'a matching value', timeoutMs),
    error: (timeoutMs) =>
      waitFor(
        () => (errors.length > 0 ? { err: errors[0] } : undefined),
        'an error',
        timeoutMs,
      ).then(({ err }) => err),
  };
}
