import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { DedupeCache } from './dedupe-cache.js';

export interface DedupeOptions<T> {
  cache: DedupeCache;
  /** The de-duplication key; events without one (undefined or '') always pass. */
  key: (item: T) => string | undefined;
  /** Told about every duplicate dropped, to count and log it. */
  onDuplicate?: (item: T, key: string) => void;
}

/**
 * Drops an item whose key is in flight or was processed within the cache's TTL, and reserves the
 * key of every item it lets through. Whoever finishes the item calls `cache.commit(key)`, or
 * `cache.release(key)` when processing failed so that a resend is handled.
 */
export function dedupeBy<T>(options: DedupeOptions<T>): MonoTypeOperatorFunction<T> {
  const { cache, key, onDuplicate } = options;
  return filter((item: T) => {
    const k = key(item);
    if (!k) return true;
    cache.sweep();
    if (cache.reserve(k)) return true;
    onDuplicate?.(item, k);
    return false;
  });
}
