import type { DropReason } from '../events.js';
import type { Logger } from '../log/logger.js';

/**
 * Reports drops as at most one warning per interval, with counts by reason since the last one, so
 * an overflow storm is visible without flooding the log. The first drop is reported at once; later
 * ones are summed and reported when the interval has passed.
 */
export class DropLogThrottle {
  private readonly counts = new Map<DropReason, number>();
  private lastDetail: string | undefined;
  private lastReportAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly intervalMs = 10_000,
  ) {}

  /** `detail` (e.g. the broker's refusal) is reported with the next line, the latest one winning. */
  record(reason: DropReason, detail?: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    if (detail !== undefined) this.lastDetail = detail;
    if (this.timer !== undefined) return;
    const wait = this.lastReportAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.report();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.report();
    }, wait);
    this.timer.unref();
  }

  /** Reports what is still unreported, e.g. at shutdown. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.report();
  }

  private report(): void {
    if (this.counts.size === 0) return;
    const dropped = Object.fromEntries(this.counts);
    const total = [...this.counts.values()].reduce((sum, n) => sum + n, 0);
    const byReason = [...this.counts].map(([reason, n]) => `${reason} ${n}`).join(', ');
    const detail = this.lastDetail;
    this.counts.clear();
    this.lastDetail = undefined;
    this.lastReportAt = Date.now();
    this.log.warn(
      { event: 'publish.dropped', dropped, total, ...(detail === undefined ? {} : { detail }) },
      `dropped ${total} message(s) for ${this.what} (${byReason})${detail ? `: ${detail}` : ''}`,
    );
  }
}
