import type { OutboundMessage } from '../events.js';

/** A message the relay accepted and holds until the broker acknowledged it or it was dropped. */
export interface OutboxRecord {
  /** Position in the outbox, unique across restarts; replay follows it. */
  readonly sequence: number;
  readonly message: OutboundMessage;
  /** Epoch milliseconds when the relay accepted the message; its age counts from here. */
  readonly acceptedAt: number;
}

/** What an earlier run left in the outbox. */
export interface OutboxContents {
  /** Oldest first. */
  readonly records: readonly OutboxRecord[];
  /** Records that could not be read back (damaged or torn writes): skipped and removed. */
  readonly corrupt: readonly CorruptRecord[];
}

export interface CorruptRecord {
  /** The record's key, as hex. */
  readonly key: string;
  readonly problem: string;
}

/**
 * Where accepted messages wait for their acknowledgement. The disk store keeps them across a
 * crash; the memory store serves tests and users who want no disk. Every store passes the same
 * contract suite (spec/outbox/outbox-store.contract.ts).
 */
export interface OutboxStore {
  /** True when records survive the process. */
  readonly durable: boolean;
  /** Opens the store and returns what earlier runs left. */
  open(): Promise<OutboxContents>;
  /** Resolves once the record is as safe as the store promises (see its fsync policy). */
  append(record: OutboxRecord): Promise<void>;
  /**
   * Forgets a record that was delivered or dropped. A removal lost in a crash only means the
   * message is sent again after the restart: a duplicate with the same event id, never a loss.
   */
  remove(sequence: number): Promise<void>;
  /** Finishes pending writes and releases the store; later calls are refused. */
  close(): Promise<void>;
}

/** The store could not be opened or written; the message says which and why. */
export class OutboxError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutboxError';
  }
}
