import { NEVER, of, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { DedupeCache } from '../../lib/operators/dedupe-cache.js';
import { dedupeBy } from '../../lib/operators/dedupe-by.js';
import { observableMatcher } from '../support/observable-matcher.js';

type Item = { key?: string; n: number };
const items: Record<string, Item> = {
  a: { key: 'k1', n: 1 },
  b: { key: 'k1', n: 2 },
  c: { key: 'k2', n: 3 },
  e: { key: '', n: 4 },
  u: { n: 5 },
};

describe('dedupeBy', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('drops an item whose key is still in flight and reports it', () => {
    const duplicates: string[] = [];
    const cache = new DedupeCache(60_000);
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<Item>('-a-b-c-|', items);
      const deduped = source.pipe(
        dedupeBy({ cache, key: (i) => i.key, onDuplicate: (_i, k) => duplicates.push(k) }),
      );
      expectObservable(deduped).toBe('-a---c-|', items);
    });
    expect(duplicates).toEqual(['k1']);
  });

  it('always lets items without a key through', () => {
    const cache = new DedupeCache(60_000);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold<Item>('-e-e-u-u|', items).pipe(dedupeBy({ cache, key: (i) => i.key })),
      ).toBe('-e-e-u-u|', items);
    });
    expect(cache.size).toBe(0);
  });

  it('lets a key through again once released, and blocks it for the TTL once committed', () => {
    let now = 0;
    const cache = new DedupeCache(10_000, () => now);
    const passed: number[] = [];
    const send = (item: Item): void => {
      of(item)
        .pipe(dedupeBy({ cache, key: (i) => i.key }))
        .subscribe((i) => passed.push(i.n));
    };
    send(items.a as Item); // reserved
    cache.release('k1');
    send(items.b as Item); // passes again, reserved
    cache.commit('k1');
    now = 9_999;
    send(items.a as Item); // within TTL: dropped
    now = 10_000;
    send(items.b as Item); // expired: passes
    expect(passed).toEqual([1, 2, 2]);
  });

  it('passes errors through, unsubscribes early, and handles empty and never', () => {
    const cache = new DedupeCache(1000);
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<Item>('-a-#', items).pipe(dedupeBy({ cache, key: (i) => i.key }))).toBe(
        '-a-#',
        items,
      );
      const source = hot<Item>('-c-u-u-|', items);
      expectObservable(source.pipe(dedupeBy({ cache, key: (i) => i.key })), '^--!').toBe(
        '-c-',
        items,
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectObservable(cold<Item>('|').pipe(dedupeBy({ cache, key: (i) => i.key }))).toBe('|');
      expectObservable(
        (NEVER as Observable<Item>).pipe(dedupeBy({ cache, key: (i) => i.key })),
      ).toBe('');
    });
  });

  it('errors when the key function throws', () => {
    const cache = new DedupeCache(1000);
    scheduler.run(({ cold, expectObservable }) => {
      const key = (): string => {
        throw new Error('no key');
      };
      expectObservable(cold<Item>('-a-|', items).pipe(dedupeBy({ cache, key }))).toBe(
        '-#',
        undefined,
        new Error('no key'),
      );
    });
  });
});

describe('DedupeCache', () => {
  it('sweeps committed keys once they expire, oldest first', () => {
    let now = 0;
    const cache = new DedupeCache(100, () => now);
    for (const key of ['a', 'b', 'c']) {
      cache.reserve(key);
      cache.commit(key);
      now += 40;
    }
    expect(cache.size).toBe(3);
    now = 140; // a committed at 0 and b at 40 have expired; c at 80 has not
    cache.sweep();
    expect(cache.size).toBe(1);
    expect(cache.reserve('c')).toBe(false);
    expect(cache.reserve('a')).toBe(true);
  });
});
