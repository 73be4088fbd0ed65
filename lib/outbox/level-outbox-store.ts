import { mkdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClassicLevel } from 'classic-level';
import { ShortLivedMap } from '../hot-path/short-lived-map.js';
import {
  decodeRecord,
  decodeSequence,
  encodeRecord,
  encodeSequence,
} from './outbox-record-codec.js';
import {
  OutboxError,
  type CorruptRecord,
  type OutboxContents,
  type OutboxRecord,
  type OutboxStore,
} from './outbox-store.js';

/**
 * When appended records reach the disk itself: `always` before an append resolves (a power cut
 * loses nothing accepted), `interval` every `fsyncIntervalMs` (a power cut may lose that much).
 * Either way a crashed process loses nothing: its writes are already with the operating system.
 */
export type FsyncPolicy = 'always' | 'interval';

export interface LevelOutboxStoreOptions {
  directory: string;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
}

type Operation = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

/** An append is encoded only when its batch is written: most are cancelled before that. */
type GatheredOperation = Operation | { type: 'append'; record: OutboxRecord };

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** Marks the syncs of the `interval` policy; never a record (records have 8-byte keys). */
const SYNC_KEY = Buffer.from('sync');

/**
 * How long an idle store gathers before it writes. A broker on the same network acknowledges
 * within a millisecond or two, so most messages are delivered inside this window and never
 * need the disk at all (their put and delete cancel out); the rest go out in one synced batch.
 * Without it, an idle store wrote each message the moment it came, and deleted it right after.
 * It delays only `accepted` (a REST 201), never the publishing.
 */
const GATHER_MS = 5;

/**
 * The outbox on disk, in LevelDB (classic-level): an ordered key-value store with a checksummed
 * write-ahead log, so a write torn by a crash is recognised and dropped on open, and keys by
 * sequence give the replay order for free. Writes are grouped: what arrives within `GATHER_MS`,
 * or while one batch is being written, goes out in the next, so a burst costs one disk sync per
 * batch, not per message.
 */
export class LevelOutboxStore implements OutboxStore {
  readonly durable = true;
  private db: ClassicLevel<Buffer, Buffer> | undefined;
  /** Gathering for the next batch; a put cancelled by its removal leaves a hole. */
  private operations: (GatheredOperation | undefined)[] = [];
  /** Where in `operations` the put of a sequence waits, until the batch is taken for writing. */
  private pendingPuts = new ShortLivedMap<number, number>();
  private waiters: Waiter[] = [];
  private syncWanted = false;
  private writing: Promise<void> | undefined;
  private unsynced = false;
  private syncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LevelOutboxStoreOptions) {}

  async open(): Promise<OutboxContents> {
    const { directory } = this.options;
    // Loaded when opened, not at start-up: a relay with the memory outbox never pays for LevelDB.
    const { ClassicLevel: Level } = await import('classic-level');
    const db = new Level<Buffer, Buffer>(directory, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
    });
    try {
      await mkdir(directory, { recursive: true });
      await db.open();
    } catch (error) {
      throw new OutboxError(describeOpenFailure(directory, error), { cause: error });
    }
    this.db = db;

    const records: OutboxRecord[] = [];
    const corrupt: CorruptRecord[] = [];
    const damagedKeys: Buffer[] = [];
    for await (const [key, value] of db.iterator()) {
      if (key.equals(SYNC_KEY)) continue;
      const sequence = decodeSequence(key);
      const decoded =
        sequence === undefined ? { problem: 'not a record key' } : decodeRecord(sequence, value);
      if ('record' in decoded) {
        records.push(decoded.record);
      } else {
        corrupt.push({ key: key.toString('hex'), problem: decoded.problem });
        damagedKeys.push(key);
      }
    }
    if (damagedKeys.length > 0) {
      await db.batch(
        damagedKeys.map((key) => ({ type: 'del' as const, key })),
        { sync: true },
      );
    }
    if (this.options.fsync === 'interval') {
      this.syncTimer = setInterval(() => this.syncIfNeeded(), this.options.fsyncIntervalMs);
      this.syncTimer.unref();
    }
    return { records, corrupt };
  }

  append(record: OutboxRecord): Promise<void> {
    // Set before the write: it may take the batch (and reset the map) at once.
    this.pendingPuts.set(record.sequence, this.operations.length);
    return this.write({ type: 'append', record }, this.options.fsync === 'always');
  }

  /**
   * A record acknowledged before its put was even written (a quick broker, a busy disk) never
   * needs the disk: its put is taken out of the gathering batch and no delete is written.
   */
  remove(sequence: number): Promise<void> {
    const pending = this.pendingPuts.get(sequence);
    if (pending === undefined) {
      return this.write({ type: 'del', key: encodeSequence(sequence) }, false);
    }
    this.pendingPuts.delete(sequence);
    this.operations[pending] = undefined;
    return this.write(undefined, false); // settles with the batch the put was in
  }

  async close(): Promise<void> {
    clearInterval(this.syncTimer);
    this.syncTimer = undefined;
    if (this.db === undefined) return;
    if (this.unsynced) void this.write({ type: 'put', key: SYNC_KEY, value: stamp() }, true);
    while (this.writing !== undefined) await this.writing;
    const db = this.db;
    this.db = undefined;
    await db.close();
  }

  /** Adds an operation (none: only a wait) to the gathering batch, and writes if idle. */
  private write(operation: GatheredOperation | undefined, sync: boolean): Promise<void> {
    if (this.db === undefined) {
      return Promise.reject(new OutboxError(`the outbox in ${this.options.directory} is closed`));
    }
    return new Promise((resolve, reject) => {
      this.operations.push(operation);
      this.waiters.push({ resolve, reject });
      this.syncWanted ||= sync;
      this.writing ??= delay(GATHER_MS).then(() => this.writeBatches());
    });
  }

  /** Writes what has gathered, batch after batch, until nothing is left. */
  private async writeBatches(): Promise<void> {
    while (this.operations.length > 0 && this.db !== undefined) {
      const gathered = this.operations;
      const waiters = this.waiters;
      const sync = this.syncWanted;
      this.operations = [];
      this.pendingPuts = new ShortLivedMap();
      this.waiters = [];
      this.syncWanted = false;
      try {
        if (await writeBatch(this.db, gathered, sync)) this.unsynced = !sync;
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        const failure = new OutboxError(
          `could not write to the outbox in ${this.options.directory}: ${messageOf(error)}`,
          { cause: error },
        );
        for (const waiter of waiters) waiter.reject(failure);
      }
    }
    this.writing = undefined;
  }

  private syncIfNeeded(): void {
    if (!this.unsynced || this.writing !== undefined) return;
    this.write({ type: 'put', key: SYNC_KEY, value: stamp() }, true).catch(() => undefined);
  }
}

/**
 * Writes what was gathered, less what was cancelled, in one batch; false when nothing was left.
 * A chained batch, not `db.batch(operations, { sync })`: that one copies each operation by
 * spreading the options into it, which costs what `copyWith` explains, once per message.
 */
async function writeBatch(
  db: ClassicLevel<Buffer, Buffer>,
  gathered: readonly (GatheredOperation | undefined)[],
  sync: boolean,
): Promise<boolean> {
  const batch = db.batch();
  for (const operation of gathered) {
    if (operation === undefined) continue;
    if (operation.type === 'append') {
      batch.put(encodeSequence(operation.record.sequence), encodeRecord(operation.record));
    } else if (operation.type === 'put') {
      batch.put(operation.key, operation.value);
    } else {
      batch.del(operation.key);
    }
  }
  const written = batch.length > 0;
  await batch.write({ sync }); // an empty one is only closed
  return written;
}

function stamp(): Buffer {
  return Buffer.from(String(Date.now()));
}

function describeOpenFailure(directory: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  if (cause?.code === 'LEVEL_LOCKED') {
    return `the outbox in ${directory} is in use by another process (is a second relay running with the same Relay.outbox.directory?)`;
  }
  return `could not open the outbox in ${directory}: ${messageOf(cause ?? error)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
