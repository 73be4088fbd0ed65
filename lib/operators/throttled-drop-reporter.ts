import type { DropReason } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';

/** One warn line per component and reason at most this often. */
export const DROP_WARNING_INTERVAL_MS = 60_000;

export interface DroppedDatagram {
  /** Metric label, e.g. `udp:tasks`. */
  readonly component: string;
  readonly reason: DropReason;
  /** `address:port` of the sender. */
  readonly sender: string;
  /** One line on why, e.g. `Unknown UDP message type: "/x/"`. */
  readonly detail: string;
  /** More fields for the log record, e.g. an excerpt of the datagram. */
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface DropReporterDeps {
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  readonly now: () => number;
}

interface ReasonState {
  /** Drops since the last warn line. */
  count: number;
  loggedAt: number | undefined;
  last: DroppedDatagram;
}

/**
 * Counts every drop in `relay_dropped_total` and writes at most one warn line per component and
 * reason per minute, carrying how many were dropped since the previous line and the last one's
 * sender and detail, so a flood of junk cannot flood the log.
 */
export class ThrottledDropReporter {
  private readonly states = new Map<string, ReasonState>();

  constructor(
    private readonly deps: DropReporterDeps,
    private readonly intervalMs = DROP_WARNING_INTERVAL_MS,
  ) {}

  report(drop: DroppedDatagram): void {
    this.deps.metrics.dropped.inc({ component: drop.component, reason: drop.reason });
    const key = `${drop.component} ${drop.reason}`;
    const state = this.states.get(key) ?? { count: 0, loggedAt: undefined, last: drop };
    this.states.set(key, state);
    state.count += 1;
    state.last = drop;
    const now = this.deps.now();
    if (state.loggedAt === undefined || now - state.loggedAt >= this.intervalMs) {
      this.write(state);
      state.loggedAt = now;
    }
  }

  /** Writes the drops not yet reported, e.g. when the stream ends. */
  flush(): void {
    for (const state of this.states.values()) {
      if (state.count > 0) this.write(state);
    }
  }

  private write(state: ReasonState): void {
    const { component, reason, sender, detail, context } = state.last;
    this.deps.log.warn(
      { ...context, event: 'udp.dropped', component, reason, dropped: state.count, sender, detail },
      `${detail}; last from ${sender} (${state.count} dropped as ${reason} since the previous warning)`,
    );
    state.count = 0;
  }
}
