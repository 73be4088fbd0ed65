/**
 * At most `limit` admissions per window; a window starts at the first admission after the
 * previous one ended (fixed, not sliding, as Butler counts).
 */
export class FixedWindowLimit {
  private windowStart: number | undefined;
  private count = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts one attempt; false when the current window is already full. */
  admit(): boolean {
    const now = this.now();
    if (this.windowStart === undefined || now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count += 1;
    return this.count <= this.limit;
  }
}
