export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export interface BoundedQueueOptions<T> {
  /** Most items held at once. */
  maxItems: number;
  /** Most bytes held at once, as measured by `sizeOf`; unbounded when absent. */
  maxBytes?: number;
  sizeOf?: (item: T) => number;
  /** Which item gives way when a new one does not fit. */
  overflow?: OverflowPolicy;
}

/** Result of `offer`: the items that had to go to make room (or the offered one itself). */
export interface OfferResult<T> {
  accepted: boolean;
  evicted: T[];
}

/**
 * A FIFO bounded by item count and bytes. Amortised O(1): items are read through a head index and
 * the backing array is compacted only when half of it is spent, or emptied.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private bytesHeld = 0;

  constructor(private readonly options: BoundedQueueOptions<T>) {
    if (!(options.maxItems >= 1)) throw new RangeError('maxItems must be at least 1');
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  offer(item: T): OfferResult<T> {
    const size = this.sizeOf(item);
    const maxBytes = this.options.maxBytes ?? Infinity;
    if (size > maxBytes) return { accepted: false, evicted: [item] };
    const fits = (): boolean =>
      this.length < this.options.maxItems && this.bytesHeld + size <= maxBytes;
    if (!fits() && (this.options.overflow ?? 'drop-oldest') === 'drop-newest') {
      return { accepted: false, evicted: [item] };
    }
    const evicted: T[] = [];
    while (!fits()) {
      const oldest = this.shift();
      if (oldest === undefined) break;
      evicted.push(oldest);
    }
    this.items.push(item);
    this.bytesHeld += size;
    return { accepted: true, evicted };
  }

  /** Puts an item back at the front (a retry keeps its place); ignores the bounds on purpose. */
  unshift(item: T): void {
    if (this.head > 0) {
      this.head -= 1;
      this.items[this.head] = item;
    } else {
      this.items.unshift(item);
    }
    this.bytesHeld += this.sizeOf(item);
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as T; // release for GC
    this.head += 1;
    this.bytesHeld -= this.sizeOf(item);
    if (this.head === this.items.length) {
      // Empty: start over at the front. A queue that empties after each message, as most do,
      // then never grows its array, and never leaves old copies of it to the garbage collector.
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.bytesHeld = 0;
    return rest;
  }

  private sizeOf(item: T): number {
    return this.options.sizeOf ? this.options.sizeOf(item) : 0;
  }
}
