import { BoundedQueue, type BoundedQueueOptions } from '../../lib/actors/bounded-queue.js';

/** Strings measured by their length, so byte bounds are easy to read in the tests. */
function queue(options: Partial<BoundedQueueOptions<string>> = {}): BoundedQueue<string> {
  return new BoundedQueue<string>({ maxItems: 3, sizeOf: (s) => s.length, ...options });
}

function offerAll(q: BoundedQueue<string>, items: string[]): string[] {
  return items.flatMap((item) => q.offer(item).evicted);
}

describe('BoundedQueue', () => {
  it('refuses a bound below one item', () => {
    expect(() => new BoundedQueue({ maxItems: 0 })).toThrow(RangeError);
    expect(() => new BoundedQueue({ maxItems: Number.NaN })).toThrow(RangeError);
  });

  it('hands items out first in, first out', () => {
    const q = queue();
    offerAll(q, ['a', 'b', 'c']);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual(['a', 'b', 'c', undefined]);
    expect(q.length).toBe(0);
  });

  it('evicts the oldest items past the count bound by default', () => {
    const q = queue();
    expect(offerAll(q, ['a', 'b', 'c'])).toEqual([]);
    expect(q.offer('d')).toEqual({ accepted: true, evicted: ['a'] });
    expect(q.offer('e')).toEqual({ accepted: true, evicted: ['b'] });
    expect(q.drain()).toEqual(['c', 'd', 'e']);
  });

  it('refuses the newest item past the count bound with drop-newest', () => {
    const q = queue({ overflow: 'drop-newest' });
    offerAll(q, ['a', 'b', 'c']);
    expect(q.offer('d')).toEqual({ accepted: false, evicted: ['d'] });
    expect(q.drain()).toEqual(['a', 'b', 'c']);
  });

  it('evicts as many oldest items as it takes to fit the byte bound', () => {
    const q = queue({ maxItems: 10, maxBytes: 6 });
    offerAll(q, ['aa', 'b', 'cc', 'd']);
    expect(q.bytes).toBe(6);
    expect(q.offer('eeee')).toEqual({ accepted: true, evicted: ['aa', 'b', 'cc'] });
    expect(q.bytes).toBe(5);
    expect(q.drain()).toEqual(['d', 'eeee']);
  });

  it('refuses the newest item past the byte bound with drop-newest', () => {
    const q = queue({ maxItems: 10, maxBytes: 4, overflow: 'drop-newest' });
    offerAll(q, ['aa', 'b']);
    expect(q.offer('cc')).toEqual({ accepted: false, evicted: ['cc'] });
    expect(q.offer('d')).toEqual({ accepted: true, evicted: [] });
    expect(q.drain()).toEqual(['aa', 'b', 'd']);
  });

  it('refuses an item larger than the whole byte bound without evicting anything', () => {
    for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
      const q = queue({ maxBytes: 4, overflow });
      q.offer('ab');
      expect(q.offer('abcde')).toEqual({ accepted: false, evicted: ['abcde'] });
      expect(q.drain()).toEqual(['ab']);
    }
  });

  it('keeps byte accounting through shift, unshift and drain', () => {
    const q = queue({ maxBytes: 100 });
    offerAll(q, ['abc', 'de']);
    expect(q.bytes).toBe(5);
    const head = q.shift() as string;
    expect(q.bytes).toBe(2);
    q.unshift(head);
    expect(q.bytes).toBe(5);
    q.drain();
    expect(q.bytes).toBe(0);
    expect(q.length).toBe(0);
  });

  it('counts nothing for bytes without a sizeOf', () => {
    const q = new BoundedQueue<string>({ maxItems: 2, maxBytes: 1 });
    expect(q.offer('long item').accepted).toBe(true);
    expect(q.bytes).toBe(0);
  });

  it('puts an unshifted item back at the head, before items already waiting', () => {
    const q = queue();
    offerAll(q, ['a', 'b', 'c']);
    const first = q.shift() as string;
    q.offer('d');
    q.unshift(first);
    expect(q.drain()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets an unshift exceed the bounds, so a retry is never lost', () => {
    const q = queue({ maxItems: 2 });
    offerAll(q, ['a', 'b']);
    q.unshift('retry');
    expect(q.length).toBe(3);
    expect(q.shift()).toBe('retry');
  });

  it('unshifts onto an empty, never-shifted queue', () => {
    const q = queue();
    q.unshift('x');
    expect(q.drain()).toEqual(['x']);
  });

  it('drains everything, oldest first, and stays usable after', () => {
    const q = queue();
    offerAll(q, ['a', 'b', 'c']);
    q.shift();
    expect(q.drain()).toEqual(['b', 'c']);
    expect(q.drain()).toEqual([]);
    q.offer('d');
    expect(q.shift()).toBe('d');
  });

  it('keeps order across many offer/shift cycles that compact the backing array', () => {
    const q = new BoundedQueue<number>({ maxItems: 5_000 });
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 20; round += 1) {
      for (let i = 0; i < 1_500; i += 1) q.offer(next++);
      for (let i = 0; i < 1_400; i += 1) out.push(q.shift() as number);
      if (round % 5 === 0) q.unshift(out.pop() as number); // a retry in the middle of it all
    }
    out.push(...q.drain());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });
});
