/**
 * What the bench offers and how long it waits. `npm run bench` runs the full set; `--short` (or
 * BENCH_MODE=short) runs fewer, shorter loads so CI can run the bench on every change and it
 * cannot rot; `BENCH_*` variables shrink either for a quick try.
 */

/** A task-event load: `events` datagrams at `ratePerSecond`, or all at once when it is absent. */
export interface LoadSpec {
  readonly name: string;
  readonly events: number;
  readonly ratePerSecond?: number;
}

export interface PublishSpec {
  readonly messages: number;
  readonly payloadBytes: number;
  /** Publishes awaiting PUBACK at once in the plain MQTT.js loop. */
  readonly window: number;
  readonly timeoutMs: number;
}

/**
 * Where the relay publisher's outbox keeps messages: `memory`, or on disk (a fresh temporary
 * folder) synced before each message counts as accepted (`always`, the default config) or every
 * `fsyncIntervalMs` (`interval`).
 */
export type OutboxVariant =
  | { readonly store: 'memory' }
  | { readonly store: 'disk'; readonly fsync: 'always' }
  | { readonly store: 'disk'; readonly fsync: 'interval'; readonly fsyncIntervalMs: number };

/**
 * A process the task-event loads are offered to: the relay with one outbox variant, or the naive
 * baseline.
 */
export type TargetSpec =
  { readonly kind: 'naive' } | { readonly kind: 'relay'; readonly outbox: OutboxVariant };

export type BenchMode = 'full' | 'short';

export const MODE: BenchMode =
  process.argv.includes('--short') || process.env.BENCH_MODE === 'short' ? 'short' : 'full';
const short = MODE === 'short';
const scale = numberFromEnv('BENCH_SCALE', 1);
const loadSeconds = (short ? 2 : 10) * scale;

export const SETTINGS = {
  mode: MODE,
  repetitions: numberFromEnv('BENCH_REPETITIONS', short ? 1 : 3),
  /** Past this, remaining repetitions are skipped and reported as such. */
  budgetMs: (short ? 3 : 8) * 60_000,
  publish: {
    messages: Math.round((short ? 5_000 : 30_000) * scale),
    payloadBytes: 200,
    window: 100,
    timeoutMs: 60_000,
  } satisfies PublishSpec,
  relayPublisher: {
    /** Each repetition runs every variant once, in turn. */
    outboxVariants: [
      { store: 'memory' },
      { store: 'disk', fsync: 'always' },
      { store: 'disk', fsync: 'interval', fsyncIntervalMs: 1_000 },
    ] satisfies OutboxVariant[],
    /** How often a disk outbox's folder is measured during a run. */
    outboxSampleMs: 100,
  },
  taskEvents: {
    /**
     * Each started afresh per repetition, taking turns. The relay runs its real config, once with
     * each outbox: memory, and disk synced before a message counts as accepted (the default).
     */
    targets: [
      { kind: 'naive' },
      { kind: 'relay', outbox: { store: 'memory' } },
      { kind: 'relay', outbox: { store: 'disk', fsync: 'always' } },
    ] satisfies TargetSpec[],
    /**
     * Ten seconds at each rate plus the burst make a repetition about 70 s per target, so the
     * full bench repeats the loads twice to stay near five minutes; start-up and idle memory
     * come from the same starts.
     */
    repetitions: numberFromEnv('BENCH_LOAD_REPETITIONS', short ? 1 : 2),
    loads: (short
      ? [steady(1_000, loadSeconds), steady(5_000, loadSeconds), burst(5_000 * scale)]
      : [
          steady(1_000, loadSeconds),
          steady(5_000, loadSeconds),
          steady(10_000, loadSeconds),
          steady(20_000, loadSeconds),
          burst(100_000 * scale),
        ]) satisfies LoadSpec[],
    /**
     * Sent first and not measured: the first event pays for the Repository Service lookup and the
     * cold connections, and the first seconds for compiling the hot code, which a relay in service
     * paid long ago (metadata is cached after it). Two seconds at 1k/s, for every target alike.
     */
    warmUp: { name: 'warm-up', events: 2_000, ratePerSecond: 1_000 } satisfies LoadSpec,
    startTimeoutMs: 15_000,
    /** Unsettled memory right after start-up would pass for load. */
    idleSettleMs: 1_000,
    /** A load ends when everything arrived, nothing arrived for this long, or at `drainMaxMs`. */
    drainIdleMs: 2_000,
    drainMaxMs: 30_000,
    pauseBetweenLoadsMs: 500,
    stopTimeoutMs: 15_000,
  },
} as const;

function steady(ratePerSecond: number, seconds: number): LoadSpec {
  const events = Math.round(ratePerSecond * seconds);
  return { name: `${ratePerSecond / 1000}k/s for ${seconds} s`, events, ratePerSecond };
}

function burst(events: number): LoadSpec {
  return { name: `burst of ${Math.round(events / 1000)}k`, events: Math.round(events) };
}

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
