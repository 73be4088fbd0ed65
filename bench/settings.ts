/** What the bench offers and how long it waits; `BENCH_*` variables shrink it for a quick try. */

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

const scale = numberFromEnv('BENCH_SCALE', 1);

export const SETTINGS = {
  repetitions: numberFromEnv('BENCH_REPETITIONS', 3),
  /** Past this, remaining repetitions are skipped and reported as such. */
  budgetMs: 6 * 60_000,
  publish: {
    messages: Math.round(50_000 * scale),
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
    loads: [
      steady(1_000, 5 * scale),
      steady(5_000, 5 * scale),
      { name: `burst of ${Math.round(20 * scale)}k`, events: Math.round(20_000 * scale) },
    ] satisfies LoadSpec[],
    /**
     * Sent first and not measured: the first event pays for the Repository Service lookup and the
     * cold connections, which a relay in service paid long ago (metadata is cached after it).
     */
    warmUp: { name: 'warm-up', events: 20, ratePerSecond: 100 } satisfies LoadSpec,
    startTimeoutMs: 15_000,
    /** Unsettled memory right after start-up would pass for load. */
    idleSettleMs: 1_000,
    /** A load ends when everything arrived, nothing arrived for this long, or at `drainMaxMs`. */
    drainIdleMs: 3_000,
    drainMaxMs: 30_000,
    pauseBetweenLoadsMs: 1_000,
    stopTimeoutMs: 15_000,
  },
} as const;

function steady(ratePerSecond: number, seconds: number): LoadSpec {
  const events = Math.round(ratePerSecond * seconds);
  return { name: `${ratePerSecond / 1000}k/s for ${seconds} s`, events, ratePerSecond };
}

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
