import fc from 'fast-check';
import { backoffDelay, type BackoffOptions } from '../../lib/actors/backoff.js';

const options: BackoffOptions = { initialDelayMs: 100, maxDelayMs: 10_000 };
const lowest = (): number => 0;
const highest = (): number => 0.999_999;

describe('backoffDelay', () => {
  it('waits the initial delay, give or take half, on the first attempt', () => {
    expect(backoffDelay(0, options, lowest)).toBe(50);
    expect(backoffDelay(0, options, highest)).toBe(100);
    expect(backoffDelay(0, options, () => 0.5)).toBe(75);
  });

  it('grows by the factor per attempt', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, options, highest))).toEqual([
      100, 200, 400, 800,
    ]);
    const triple = { ...options, factor: 3 };
    expect([0, 1, 2].map((n) => backoffDelay(n, triple, highest))).toEqual([100, 300, 900]);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffDelay(7, options, highest)).toBe(10_000);
    expect(backoffDelay(7, options, lowest)).toBe(5_000);
    expect(backoffDelay(10_000, options, highest)).toBe(10_000);
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(-3, options, highest)).toBe(100);
  });

  it('is deterministic for a given random source', () => {
    const random = (): number => 0.25;
    expect(backoffDelay(4, options, random)).toBe(backoffDelay(4, options, random));
  });

  it('always lies between half and all of the capped nominal delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialDelayMs, maxDelayMs, r) => {
          const nominal = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
          const delay = backoffDelay(attempt, { initialDelayMs, maxDelayMs }, () => r);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal / 2));
          expect(delay).toBeLessThanOrEqual(Math.ceil(nominal));
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });

  it('uses Math.random when no source is given', () => {
    const delay = backoffDelay(2, options);
    expect(delay).toBeGreaterThanOrEqual(200);
    expect(delay).toBeLessThanOrEqual(400);
  });
});
