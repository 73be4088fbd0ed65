/**
 * A map for entries that come and go with each message: a publish awaiting its acknowledgement,
 * an outbox record, an event being processed.
 *
 * Why not a `Map` or `Set`: on Node 20's V8, one that keeps gaining and losing entries rebuilds
 * its table every few operations and links each old table to the next. An old table that has
 * outlived a young-generation collection, though garbage, then keeps every later table, and the
 * entries they held, alive through the following collections. Under a steady stream of messages
 * that carried almost everything the publishing path allocated into the old generation
 * (measured with `--trace-gc-nvp`). An object's own entries are rebuilt without such links.
 *
 * `values` come in an object's order: ascending for whole-number keys below 2^32 - 1, then the
 * other keys in insertion order.
 */
export class ShortLivedMap<K extends number | string, V> {
  private entries = noEntries<K, V>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(key: K): boolean {
    return key in this.entries;
  }

  get(key: K): V | undefined {
    return this.entries[key];
  }

  set(key: K, value: V): this {
    if (!(key in this.entries)) this.count += 1;
    this.entries[key] = value;
    return this;
  }

  delete(key: K): boolean {
    if (!(key in this.entries)) return false;
    // Deleting the key from the object is what this class is for (see above).
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete this.entries[key];
    this.count -= 1;
    return true;
  }

  values(): V[] {
    return Object.values<V | undefined>(this.entries) as V[]; // only keys that were set remain
  }

  clear(): void {
    this.entries = noEntries();
    this.count = 0;
  }
}

/** No prototype, so `constructor` or `__proto__` is a key like any other. */
function noEntries<K extends number | string, V>(): Partial<Record<K, V>> {
  return Object.create(null) as Partial<Record<K, V>>;
}
