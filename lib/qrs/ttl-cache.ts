export interface TtlCacheOptions {
  /** How long a loaded value is served without asking again; 0 keeps nothing. */
  readonly ttlMs: number;
  /** Most values held; the oldest goes first when a new one does not fit. */
  readonly maxEntries: number;
  readonly now?: () => number;
}

/**
 * A small cache of loaded values that also joins concurrent loads of the same key, so a burst of
 * lookups costs one load. Failed loads are never kept; the next lookup tries again.
 */
export class TtlCache<V> {
  private readonly values = new Map<string, { value: V; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<V>>();
  private readonly now: () => number;

  constructor(private readonly options: TtlCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.values.size;
  }

  /**
   * The fresh cached value for `key`, else the load already running for it, else a new load.
   * `keep` decides which loaded values are worth caching (e.g. not "nothing found").
   */
  getOrLoad(
    key: string,
    load: () => Promise<V>,
    keep: (value: V) => boolean = () => true,
  ): Promise<V> {
    const cached = this.values.get(key);
    if (cached !== undefined) {
      if (cached.expiresAt > this.now()) return Promise.resolve(cached.value);
      this.values.delete(key);
    }
    const running = this.loading.get(key);
    if (running !== undefined) return running;

    const loaded = load().then(
      (value) => {
        this.loading.delete(key);
        if (keep(value)) this.store(key, value);
        return value;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  clear(): void {
    this.values.clear();
  }

  private store(key: string, value: V): void {
    if (this.options.ttlMs <= 0 || this.options.maxEntries < 1) return;
    this.values.delete(key); // re-inserted at the end: map order is then age order
    while (this.values.size >= this.options.maxEntries) {
      const oldest = this.values.keys().next().value;
      if (oldest === undefined) break;
      this.values.delete(oldest);
    }
    this.values.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
  }
}
