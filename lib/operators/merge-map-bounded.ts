import {
  Observable,
  Subscription,
  distinctUntilChanged,
  first,
  from,
  map,
  type ObservableInput,
  type OperatorFunction,
} from 'rxjs';
import { Actor } from '../actors/actor.js';

export interface BoundedMergeOptions<T> {
  /** Items processed at once. */
  concurrency: number;
  /** Items allowed to wait for a free slot; one more is refused (Butler's `maxSize` rule). */
  maxWaiting: number;
  /** Told about every refused item, to count and log it. */
  onRefused?: (item: T) => void;
  /** Told when processing an item failed; the item is dropped and the next one goes on. */
  onError?: (item: T, error: unknown) => void;
  /** Told about every change of the waiting count, e.g. to export it as a gauge. */
  onDepth?: (waiting: number) => void;
  /** Told once an item's results have all been passed on downstream (not when it failed). */
  onDone?: (item: T) => void;
}

/**
 * `mergeMap` with a bounded wait queue: unlike RxJS's own, which buffers without limit, an item
 * that finds `maxWaiting` items already waiting is refused and reported. Backed by an actor, so a
 * project function that throws costs only its own item. Results flow in completion order; the
 * output completes after the source completes and every accepted item finished.
 */
export function mergeMapBounded<T, R>(
  project: (item: T) => ObservableInput<R>,
  options: BoundedMergeOptions<T>,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const inner = new Subscription(); // in-flight work, cancelled on unsubscribe
      const actor = new Actor<T>({
        name: 'merge-map-bounded',
        concurrency: options.concurrency,
        mailbox: { maxItems: options.maxWaiting, overflow: 'drop-newest' },
        restart: { initialDelayMs: 0, maxDelayMs: 0 },
        handle: (item) => {
          const result = project(item);
          // A promise needs no subscription: under load these were a measurable share of the
          // garbage. What it resolves to is passed on as `from` would.
          if (isPromiseLike(result)) {
            return Promise.resolve(result).then((value) => {
              subscriber.next(value);
              options.onDone?.(item);
            });
          }
          return new Promise<void>((done, fail) => {
            inner.add(
              from(result).subscribe({
                next: (value) => subscriber.next(value),
                error: fail,
                complete: () => {
                  options.onDone?.(item);
                  done();
                },
              }),
            );
          });
        },
        onDrop: (item, reason, error) => {
          if (reason === 'queue-full') options.onRefused?.(item);
          if (reason === 'crash') options.onError?.(item, error);
        },
      });
      // The actor's status changes twice per item; the depth far less often.
      const onDepth = options.onDepth;
      const depth = onDepth
        ? actor.status$
            .pipe(
              map((status) => status.depth),
              distinctUntilChanged(),
            )
            .subscribe(onDepth)
        : undefined;
      const upstream = source.subscribe({
        next: (item) => actor.tell(item),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          inner.add(
            actor.status$
              .pipe(first((status) => status.depth === 0 && status.running === 0))
              .subscribe(() => subscriber.complete()),
          );
        },
      });
      return () => {
        upstream.unsubscribe();
        inner.unsubscribe();
        depth?.unsubscribe();
        actor.stop();
      };
    });
}

function isPromiseLike<R>(input: ObservableInput<R>): input is PromiseLike<R> {
  return typeof (input as Partial<PromiseLike<R>>).then === 'function';
}
