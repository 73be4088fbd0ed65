import { describe, expect, it } from '@jest/globals';
import { ShortLivedMap } from '../../lib/hot-path/short-lived-map.js';

describe('ShortLivedMap', () => {
  it('sets, gets, replaces and deletes entries, counting them', () => {
    const map = new ShortLivedMap<number, string>();
    map.set(2, 'b').set(1, 'a');
    map.set(2, 'B');

    expect(map.size).toBe(2);
    expect(map.get(2)).toBe('B');
    expect(map.has(1)).toBe(true);
    expect(map.delete(1)).toBe(true);
    expect(map.delete(1)).toBe(false);
    expect(map.has(1)).toBe(false);
    expect(map.get(1)).toBeUndefined();
    expect(map.size).toBe(1);
  });

  it('lists number keys in ascending order whatever the order they came in', () => {
    const map = new ShortLivedMap<number, string>();
    for (const key of [30, 4, 1_000_000, 17]) map.set(key, `v${key}`);

    expect(map.values()).toEqual(['v4', 'v17', 'v30', 'v1000000']);
  });

  it('lists keys from 2^32 - 1 on after the smaller ones, in the order they came in', () => {
    const map = new ShortLivedMap<number, string>();
    for (const key of [2 ** 32 + 1, 2 ** 32, 5]) map.set(key, `v${key}`);

    expect(map.values()).toEqual(['v5', `v${2 ** 32 + 1}`, `v${2 ** 32}`]);
  });

  it('lists string keys in the order they came in', () => {
    const map = new ShortLivedMap<string, number>();
    map.set('task.failed:b', 2).set('task.failed:a', 1);

    expect(map.values()).toEqual([2, 1]);
  });

  it('treats names an object would inherit as plain keys', () => {
    const map = new ShortLivedMap<string, boolean>();

    expect(map.has('constructor')).toBe(false);
    expect(map.has('toString')).toBe(false);
    map.set('__proto__', true);
    expect(map.get('__proto__')).toBe(true);
    expect(map.size).toBe(1);
  });

  it('keeps a value of undefined as an entry', () => {
    const map = new ShortLivedMap<number, string | undefined>();
    map.set(1, undefined);

    expect(map.has(1)).toBe(true);
    expect(map.size).toBe(1);
    expect(map.values()).toEqual([undefined]);
  });

  it('stays as small as what it holds while entries come and go', () => {
    const map = new ShortLivedMap<number, { n: number }>();
    for (let n = 1; n <= 200_000; n += 1) {
      map.set(n, { n });
      if (n > 3) map.delete(n - 3);
    }

    expect(map.size).toBe(3);
    expect(map.values().map((entry) => entry.n)).toEqual([199_998, 199_999, 200_000]);
  });

  it('forgets everything on clear', () => {
    const map = new ShortLivedMap<number, string>();
    map.set(1, 'a').set(2, 'b');
    map.clear();

    expect(map.size).toBe(0);
    expect(map.values()).toEqual([]);
    expect(map.has(1)).toBe(false);
  });
});
