import { NEVER, Subject, delay, of, throwError, type Observable } from 'rxjs';
import { mergeMapBounded } from '../../lib/operators/merge-map-bounded.js';

/** Collects what an observable emits and how it ends. */
function record<T>(observable: Observable<T>) {
  const result = { values: [] as T[], error: undefined as unknown, completed: false };
  const subscription = observable.subscribe({
    next: (v) => result.values.push(v),
    error: (e: unknown) => (result.error = e),
    complete: () => (result.completed = true),
  });
  return { result, subscription };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('mergeMapBounded', () => {
  it('maps every item and completes after the last one finished', async () => {
    const { result } = record(
      of(1, 2, 3).pipe(mergeMapBounded((n) => of(n * 10), { concurrency: 2, maxWaiting: 5 })),
    );
    await flush();
    expect(result.values).toEqual([10, 20, 30]);
    expect(result.completed).toBe(true);
  });

  it('never runs more than `concurrency` at once, and refuses items beyond `maxWaiting`', async () => {
    const gates = new Map<number, Subject<number>>();
    let running = 0;
    let maxRunning = 0;
    const refused: number[] = [];
    const depths: number[] = [];
    const source = new Subject<number>();
    const { result } = record(
      source.pipe(
        mergeMapBounded(
          (n) => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            const gate = new Subject<number>();
            gates.set(n, gate);
            return new Promise<number>((resolve) =>
              gate.subscribe(() => {
                running -= 1;
                resolve(n);
              }),
            );
          },
          {
            concurrency: 2,
            maxWaiting: 3,
            onRefused: (n) => refused.push(n),
            onDepth: (d) => depths.push(d),
          },
        ),
      ),
    );
    for (let n = 1; n <= 7; n += 1) source.next(n); // 2 run, 3 wait, 2 refused
    expect(refused).toEqual([6, 7]);
    expect(Math.max(...depths)).toBe(3);
    source.complete();
    for (let n = 1; n <= 5; n += 1) {
      gates.get(n)?.next(n);
      await flush();
    }
    expect(maxRunning).toBe(2);
    expect(result.values).toEqual([1, 2, 3, 4, 5]);
    expect(result.completed).toBe(true);
  });

  it('passes on what a promise resolves to, then tells that the item is done', async () => {
    const order: string[] = [];
    const source = new Subject<number>();
    const output = source.pipe(
      mergeMapBounded((n) => Promise.resolve([n, n * 10]), {
        concurrency: 2,
        maxWaiting: 5,
        onDone: (n) => order.push(`done ${n}`),
      }),
    );
    output.subscribe((pair) => order.push(`next ${pair.join(',')}`));
    source.next(1);
    source.next(2);
    await flush();
    expect(order).toEqual(['next 1,10', 'done 1', 'next 2,20', 'done 2']);
  });

  it('tells that an observable item is done only after its last value, and never for a failed one', async () => {
    const done: number[] = [];
    const values: number[] = [];
    of(1, 2)
      .pipe(
        mergeMapBounded((n) => (n === 2 ? throwError(() => new Error('boom')) : of(n, n + 1)), {
          concurrency: 1,
          maxWaiting: 5,
          onDone: (n) => done.push(n * 100 + values.length),
        }),
      )
      .subscribe((v) => values.push(v));
    await flush();
    expect(values).toEqual([1, 2]);
    expect(done).toEqual([102]); // item 1, after both its values
  });

  it('reports an item whose processing fails and goes on with the next', async () => {
    const failed: [number, string][] = [];
    const { result } = record(
      of(1, 2, 3).pipe(
        mergeMapBounded((n) => (n === 2 ? throwError(() => new Error('boom')) : of(n)), {
          concurrency: 1,
          maxWaiting: 10,
          onError: (n, e) => failed.push([n, (e as Error).message]),
        }),
      ),
    );
    await until(() => result.completed);
    expect(result.values).toEqual([1, 3]);
    expect(failed).toEqual([[2, 'boom']]);
    expect(result.completed).toBe(true);
  });

  it('passes a source error through', () => {
    const { result } = record(
      throwError(() => new Error('source')).pipe(
        mergeMapBounded((n) => of(n), { concurrency: 1, maxWaiting: 1 }),
      ),
    );
    expect((result.error as Error).message).toBe('source');
  });

  it('stops working and drops waiting items on early unsubscribe', async () => {
    const seen: number[] = [];
    const { result, subscription } = record(
      of(1, 2, 3).pipe(
        mergeMapBounded(
          (n) => {
            seen.push(n);
            return of(n).pipe(delay(5));
          },
          { concurrency: 1, maxWaiting: 5 },
        ),
      ),
    );
    subscription.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([1]);
    expect(result.completed).toBe(false);
  });

  it('completes on empty and stays silent on never', async () => {
    const empty = record(
      of<number>().pipe(mergeMapBounded((n) => of(n), { concurrency: 1, maxWaiting: 1 })),
    );
    const never = record(
      (NEVER as Observable<number>).pipe(
        mergeMapBounded((n) => of(n), { concurrency: 1, maxWaiting: 1 }),
      ),
    );
    await flush();
    expect(empty.result.completed).toBe(true);
    expect(never.result).toEqual({ values: [], error: undefined, completed: false });
    never.subscription.unsubscribe();
  });
});
