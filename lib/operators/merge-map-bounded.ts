import {
  Observable,
  Subscription,
  first,
  from,
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
        handle: (item) =>
          new Promise<void>((done, fail) => {
            inner.add(
              from(project(item)).subscribe({
                next: (value) => subscriber.next(value),
                error: fail,
                complete: done,
              }),
            );
          }),
        onDrop: (item, reason, error) => {
          if (reason === 'queue-full') options.onRefused?.(item);
          if (reason === 'crash') options.onError?.(item, error);
        },
      });
      const depth = options.onDepth
        ? actor.status$.subscribe((status) => options.onDepth?.(status.depth))
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
