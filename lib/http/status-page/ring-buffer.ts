/**
 * The last `capacity` items pushed, in a fixed array: a push is one store and one index step, so
 * recording on a hot path costs next to nothing and memory stays bounded.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`a ring buffer needs a capacity of at least 1, got ${capacity}`);
    }
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Newest first. */
  newestFirst(): T[] {
    const out: T[] = [];
    for (let back = 1; back <= this.size; back += 1) {
      const item = this.items[(this.next - back + this.capacity) % this.capacity];
      if (item !== undefined) out.push(item);
    }
    return out;
  }
}
