import type { DropReason } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from './relay-metrics.js';

/** One warn line per throttle at most this often, unless told otherwise. */
export const DROP_WARNING_INTERVAL_MS = 60_000;

/** One drop (or, with `count`, several alike: e.g. what the kernel reports at once). */
export interface Drop {
  /** Metric label of who dropped it, e.g. `udp:tasks` or `publisher`. */
  readonly component: string;
  readonly reason: DropReason;
  /** `address:port` of the sender, where there is one. */
  readonly sender?: string;
  /** One line on why, e.g. `Unknown UDP message type: "/x/"`; the latest one is reported. */
  readonly detail?: string;
  /** More fields for the log record, e.g. an excerpt of the datagram. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** How many were dropped alike; default 1. */
  readonly count?: number;
}

/** What one warn line covers, and so what it says. */
export type DropLines =
  /** One line per component and reason: the count, and the last drop's sender and detail. */
  | { readonly per: 'reason' }
  /** One line per component with the counts by reason, about `subject` (`topic t on broker b`). */
  | { readonly per: 'component'; readonly subject: string };

export interface DropReporterOptions {
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Clock for the throttle; defaults to `Date.now`. */
  readonly now?: () => number;
  /** The `event` field of the warn lines; default `udp.dropped`. */
  readonly event?: string;
  /** Default one line per component and reason. */
  readonly lines?: DropLines;
  /** Default one minute. */
  readonly intervalMs?: number;
}

interface Pending {
  /** Drops since the last line, by reason. */
  readonly counts: Map<DropReason, number>;
  last: Drop;
  /** The latest detail given, kept when a later drop comes without one. */
  detail: string | undefined;
  loggedAt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Counts every drop in `relay_dropped_total` and writes at most one warn line per throttle (a
 * component, or a component and reason) per interval, so a flood of drops cannot flood the log.
 * The first drop is written at once; later ones are summed and written when the interval has
 * passed, by the next drop or by a timer, and by `flush`.
 */
export class ThrottledDropReporter {
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;
  private readonly event: string;
  private readonly lines: DropLines;
  private readonly intervalMs: number;

  constructor(private readonly options: DropReporterOptions) {
    this.now = options.now ?? (() => Date.now());
    this.event = options.event ?? 'udp.dropped';
    this.lines = options.lines ?? { per: 'reason' };
    this.intervalMs = options.intervalMs ?? DROP_WARNING_INTERVAL_MS;
  }

  report(drop: Drop): void {
    const count = drop.count ?? 1;
    this.options.metrics.dropped.inc({ component: drop.component, reason: drop.reason }, count);
    const state = this.pendingFor(drop);
    state.counts.set(drop.reason, (state.counts.get(drop.reason) ?? 0) + count);
    state.last = drop;
    if (drop.detail !== undefined) state.detail = drop.detail;

    const wait = state.loggedAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.write(state);
    } else if (state.timer === undefined) {
      state.timer = setTimeout(() => this.write(state), wait);
      state.timer.unref(); // a pending warning never keeps the process alive
    }
  }

  /** Writes the drops not yet reported, e.g. when the stream ends or at shutdown. */
  flush(): void {
    for (const state of this.pending.values()) this.write(state);
  }

  private pendingFor(drop: Drop): Pending {
    const key = this.lines.per === 'reason' ? `${drop.component} ${drop.reason}` : drop.component;
    let state = this.pending.get(key);
    if (state === undefined) {
      state = {
        counts: new Map(),
        last: drop,
        detail: undefined,
        loggedAt: -Infinity,
        timer: undefined,
      };
      this.pending.set(key, state);
    }
    return state;
  }

  private write(state: Pending): void {
    clearTimeout(state.timer);
    state.timer = undefined;
    if (state.counts.size === 0) return;
    const { component, reason, sender, context } = state.last;
    const { counts, detail } = state;
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    const optional = {
      ...(sender !== undefined && { sender }),
      ...(detail !== undefined && { detail }),
    };
    if (this.lines.per === 'reason') {
      const from = sender === undefined ? '' : `; last from ${sender}`;
      this.options.log.warn(
        { ...context, event: this.event, component, reason, dropped: total, ...optional },
        `${detail ?? reason}${from} (${total} dropped as ${reason} since the previous warning)`,
      );
    } else {
      const byReason = [...counts].map(([r, n]) => `${r} ${n}`).join(', ');
      this.options.log.warn(
        {
          ...context,
          event: this.event,
          component,
          dropped: Object.fromEntries(counts),
          total,
          ...optional,
        },
        `dropped ${total} message(s) for ${this.lines.subject} (${byReason})${detail ? `: ${detail}` : ''}`,
      );
    }
    counts.clear();
    state.detail = undefined;
    state.loggedAt = this.now();
  }
}
