import { jest } from '@jest/globals';
import { TtlCache } from '../../lib/qrs/ttl-cache.js';

describe('TtlCache', () => {
  let now: number;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000;
  });

  it('serves a loaded value until its time-to-live is over', async () => {
    const cache = new TtlCache<string>({ ttlMs: 100, maxEntries: 10, now: clock });
    const load = jest.fn(async () => `v${load.mock.calls.length}`);
    await expect(cache.getOrLoad('k', load)).resolves.toBe('v1');
    now += 99;
    await expect(cache.getOrLoad('k', load)).resolves.toBe('v1');
    now += 1;
    await expect(cache.getOrLoad('k', load)).resolves.toBe('v2');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('joins loads of the same key that overlap, including their failure', async () => {
    const cache = new TtlCache<string>({ ttlMs: 100, maxEntries: 10, now: clock });
    let fail: (error: Error) => void = () => undefined;
    const load = jest.fn(
      () =>
        new Promise<string>((_, reject) => {
          fail = reject;
        }),
    );
    const first = cache.getOrLoad('k', load);
    const second = cache.getOrLoad('k', load);
    fail(new Error('down'));
    await expect(first).rejects.toThrow('down');
    await expect(second).rejects.toThrow('down');
    expect(load).toHaveBeenCalledTimes(1);
    await expect(cache.getOrLoad('k', async () => 'back')).resolves.toBe('back');
  });

  it('keeps only what `keep` accepts', async () => {
    const cache = new TtlCache<string | undefined>({ ttlMs: 100, maxEntries: 10, now: clock });
    const load = jest.fn(async () => undefined);
    const isDefined = (v: string | undefined): boolean => v !== undefined;
    await cache.getOrLoad('k', load, isDefined);
    await cache.getOrLoad('k', load, isDefined);
    expect(load).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const cache = new TtlCache<string>({ ttlMs: 1_000, maxEntries: 2, now: clock });
    for (const key of ['a', 'b', 'c']) await cache.getOrLoad(key, async () => key);
    expect(cache.size).toBe(2);
    const reload = jest.fn(async () => 'again');
    await expect(cache.getOrLoad('a', reload)).resolves.toBe('again');
    await expect(cache.getOrLoad('c', reload)).resolves.toBe('c');
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('keeps nothing with a time-to-live of 0', async () => {
    const cache = new TtlCache<string>({ ttlMs: 0, maxEntries: 10, now: clock });
    await cache.getOrLoad('k', async () => 'v');
    expect(cache.size).toBe(0);
  });
});
