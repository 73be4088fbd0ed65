import { ShortLivedMap } from '../hot-path/short-lived-map.js';

/**
 * Remembers which keys are being processed (reserved) or were processed recently (committed).
 * A committed key expires `ttlMs` after its commit, as Butler's de-duplication does; a reserved
 * key that is released (processing failed) may come again at once.
 */
export class DedupeCache {
  /** Keys of events being processed: one comes and goes per event. */
  private readonly reserved = new ShortLivedMap<string, true>();
  private readonly committedAt = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Claims `key` for processing; false when it is in flight or was processed within the TTL. */
  reserve(key: string): boolean {
    if (this.reserved.has(key) || this.isFresh(key)) return false;
    this.reserved.set(key, true);
    return true;
  }

  commit(key: string): void {
    this.reserved.delete(key);
    this.committedAt.set(key, this.now());
  }

  release(key: string): void {
    this.reserved.delete(key);
  }

  /** Keys held, in flight or committed and not yet swept. */
  get size(): number {
    return this.reserved.size + this.committedAt.size;
  }

  /** Forgets expired keys; map order is commit order, so it stops at the first fresh one. */
  sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, at] of this.committedAt) {
      if (at > cutoff) break;
      this.committedAt.delete(key);
    }
  }

  private isFresh(key: string): boolean {
    const at = this.committedAt.get(key);
    if (at === undefined) return false;
    if (this.now() - at < this.ttlMs) return true;
    this.committedAt.delete(key);
    return false;
  }
}
