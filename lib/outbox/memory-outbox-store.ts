import { ShortLivedMap } from '../hot-path/short-lived-map.js';
import {
  OutboxError,
  type OutboxContents,
  type OutboxRecord,
  type OutboxStore,
} from './outbox-store.js';

/** Keeps the outbox in memory: the same bookkeeping as on disk, lost with the process. */
export class MemoryOutboxStore implements OutboxStore {
  readonly durable = false;
  private readonly records = new ShortLivedMap<number, OutboxRecord>();
  private closed = false;

  open(): Promise<OutboxContents> {
    this.closed = false;
    const records = this.records.values().sort((a, b) => a.sequence - b.sequence);
    return Promise.resolve({ records, corrupt: [] });
  }

  append(record: OutboxRecord): Promise<void> {
    if (this.closed) return Promise.reject(new OutboxError('the memory outbox is closed'));
    this.records.set(record.sequence, record);
    return Promise.resolve();
  }

  remove(sequence: number): Promise<void> {
    if (this.closed) return Promise.reject(new OutboxError('the memory outbox is closed'));
    this.records.delete(sequence);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
