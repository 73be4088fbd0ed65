import { CounterRates } from '../../lib/http/status-page/counter-rates.js';

const values = (entries: Record<string, number>): Map<string, number> =>
  new Map(Object.entries(entries));

describe('CounterRates', () => {
  it('has no rate until two readings are far enough apart', () => {
    const rates = new CounterRates({ windowMs: 10_000, minSpacingMs: 1_000 });
    expect(rates.read(0, values({ a: 5 })).windowSeconds).toBeNull();
    const early = rates.read(500, values({ a: 9 }));
    expect(early.windowSeconds).toBeNull();
    expect(early.rateOf('a')).toBeNull();
  });

  it('divides the growth since the oldest reading in the window by the time between', () => {
    const rates = new CounterRates({ windowMs: 10_000, minSpacingMs: 1_000 });
    rates.read(0, values({ a: 0 }));
    const later = rates.read(2_000, values({ a: 10, b: 4 }));
    expect(later.windowSeconds).toBe(2);
    expect(later.rateOf('a')).toBe(5);
    expect(later.rateOf('b')).toBe(2); // a series that appeared counted from zero
    expect(later.rateOf('missing')).toBe(0);
  });

  it('slides: readings before the window give way to newer ones', () => {
    const rates = new CounterRates({ windowMs: 4_000, minSpacingMs: 1_000 });
    for (let second = 0; second <= 10; second += 1) {
      rates.read(second * 1_000, values({ a: second < 6 ? 100 : 100 + (second - 6) * 3 }));
    }
    const now = rates.read(11_000, values({ a: 115 }));
    expect(now.windowSeconds).toBe(4); // from the reading at 7 s, the newest at the window start
    expect(now.rateOf('a')).toBe((115 - 103) / 4);
  });

  it('forgets readings from long ago rather than averaging over them', () => {
    const rates = new CounterRates({ windowMs: 10_000, minSpacingMs: 1_000 });
    rates.read(0, values({ a: 0 }));
    const afterAbsence = rates.read(3_600_000, values({ a: 3_600 }));
    expect(afterAbsence.windowSeconds).toBeNull();
    expect(rates.read(3_602_000, values({ a: 3_610 })).rateOf('a')).toBe(5);
  });

  it('never reports a negative rate', () => {
    const rates = new CounterRates({ windowMs: 10_000, minSpacingMs: 1_000 });
    rates.read(0, values({ a: 10 }));
    expect(rates.read(1_000, values({ a: 0 })).rateOf('a')).toBe(0);
  });
});
