/** Counter values by key at one moment (monotonic milliseconds). */
interface Sample {
  readonly atMs: number;
  readonly values: ReadonlyMap<string, number>;
}

export interface Rates {
  /** Seconds the rates average over; null until two readings are far enough apart. */
  readonly windowSeconds: number | null;
  /** Per second over the window; null without a window. */
  rateOf(key: string): number | null;
}

export interface CounterRatesOptions {
  /** Rates average over about this long, so one burst does not make them jump. */
  readonly windowMs: number;
  /** Readings closer than this to the newest kept one are not kept: many readers, few samples. */
  readonly minSpacingMs: number;
}

/** Readings older than this many windows are dropped rather than averaged over. */
const STALE_WINDOWS = 3;

const DEFAULTS: CounterRatesOptions = { windowMs: 10_000, minSpacingMs: 1_000 };

/**
 * Rates of counters, from the readings taken when someone asks: no timer runs, so they cost
 * nothing while nobody looks. It keeps the readings of the last window (at most one per
 * `minSpacingMs`) and divides the growth since the oldest by the time between.
 */
export class CounterRates {
  private readonly samples: Sample[] = [];
  private readonly options: CounterRatesOptions;

  constructor(options: Partial<CounterRatesOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Takes a reading and answers the rates up to it. */
  read(atMs: number, values: ReadonlyMap<string, number>): Rates {
    const base = this.baseFor(atMs);
    const newest = this.samples.at(-1);
    if (newest === undefined || atMs - newest.atMs >= this.options.minSpacingMs) {
      this.samples.push({ atMs, values });
    }
    const elapsedMs = base === undefined ? 0 : atMs - base.atMs;
    if (base === undefined || elapsedMs < this.options.minSpacingMs) {
      return { windowSeconds: null, rateOf: () => null };
    }
    return {
      windowSeconds: elapsedMs / 1000,
      // A series missing from the older reading had not counted anything yet.
      rateOf: (key) => {
        const growth = (values.get(key) ?? 0) - (base.values.get(key) ?? 0);
        return Math.max(0, growth) / (elapsedMs / 1000);
      },
    };
  }

  /**
   * The reading to measure from: the newest one at or before the window's start, else the oldest
   * inside it. Readings from long before (nobody looked for a while) say nothing about now.
   */
  private baseFor(atMs: number): Sample | undefined {
    const start = atMs - this.options.windowMs;
    const stale = atMs - STALE_WINDOWS * this.options.windowMs;
    while (
      this.samples.length > 0 &&
      ((this.samples[0]?.atMs ?? 0) < stale || (this.samples[1]?.atMs ?? Infinity) <= start)
    ) {
      this.samples.shift();
    }
    return this.samples[0];
  }
}
