import {
  EMPTY,
  concat,
  defer,
  exhaustMap,
  tap,
  type Observable,
  type ObservableInput,
  type OperatorFunction,
} from 'rxjs';

export interface PollWithoutOverlapOptions<T> {
  /** Told about each tick that came while a poll still ran (an overrun), e.g. to count it. */
  onOverrun?: (tick: T) => void;
}

/**
 * Runs `poll` on each tick of a schedule, never two at once. Ticks that come while a poll runs
 * are overruns: reported, and folded into one poll (with the latest of them) that starts as soon
 * as the running one ends, so a slow poll delays the next instead of piling polls up or skipping
 * silently. Completes once the ticks have completed and the last poll has finished.
 */
export function pollWithoutOverlap<T, R>(
  poll: (tick: T) => ObservableInput<R>,
  options: PollWithoutOverlapOptions<T> = {},
): OperatorFunction<T, R> {
  return (ticks) =>
    defer(() => {
      let running = false;
      let overrun: { tick: T } | undefined;
      // A poll, then the one an overrun asked for, until none is waiting.
      const pollFrom = (tick: T): Observable<R> =>
        concat(
          defer(() => poll(tick)),
          defer(() => {
            const next = overrun;
            overrun = undefined;
            if (next) return pollFrom(next.tick);
            running = false;
            return EMPTY;
          }),
        );
      return ticks.pipe(
        tap((tick) => {
          if (!running) return;
          overrun = { tick };
          options.onOverrun?.(tick);
        }),
        exhaustMap((tick) => {
          running = true;
          return pollFrom(tick);
        }),
      );
    });
}
