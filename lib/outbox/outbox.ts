import { performance } from 'node:perf_hooks';
import type { OutboundMessage } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { describeError } from '../mqtt/describe-error.js';
import type { OutboxRecord, OutboxStore } from './outbox-store.js';

export interface OutboxOptions {
  store: OutboxStore;
  /** A message not sent after this long is dropped as `expired`; 0 = no limit. */
  maxAgeSeconds: number;
  log: Logger;
  metrics: RelayMetrics;
}

/** At most this many damaged records are described one by one at start; the rest are counted. */
const CORRUPT_RECORDS_DESCRIBED = 10;

/** Epoch milliseconds with sub-millisecond resolution, for ages and latencies alike. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The relay's outbox: every message is stored here before it counts as accepted and stays until
 * the broker acknowledged it or it was dropped, so a restart replays what was left. It numbers
 * the records, and turns store failures into log lines and counts: a message whose write failed
 * is still sent from memory, since losing it for a disk problem would be worse.
 */
export class Outbox {
  readonly durable: boolean;
  /** Age at which an unsent message is dropped as `expired`; Infinity for no limit. */
  readonly maxAgeMs: number;
  private readonly log: Logger;
  private nextSequence = 1;
  private writesFailing = false;

  constructor(private readonly options: OutboxOptions) {
    this.durable = options.store.durable;
    this.maxAgeMs = options.maxAgeSeconds > 0 ? options.maxAgeSeconds * 1000 : Infinity;
    this.log = options.log.child({ component: 'outbox' });
  }

  /** Opens the store; returns the records an earlier run left, oldest first, to be sent first. */
  async open(): Promise<readonly OutboxRecord[]> {
    const { records, corrupt } = await this.options.store.open();
    for (const { key, problem } of corrupt.slice(0, CORRUPT_RECORDS_DESCRIBED)) {
      this.log.warn(
        { event: 'outbox.corrupt-record', key, problem },
        `skipped a damaged outbox record (${problem})`,
      );
    }
    if (corrupt.length > 0) {
      this.options.metrics.outboxCorrupt.inc(corrupt.length);
      this.log.warn(
        { event: 'outbox.corrupt-records', count: corrupt.length },
        `skipped ${corrupt.length} damaged outbox record(s); the messages they held are lost`,
      );
    }
    const last = records.at(-1);
    if (last !== undefined) this.nextSequence = last.sequence + 1;
    if (records.length > 0) {
      this.options.metrics.outboxReplayed.inc(records.length);
      this.log.info(
        { event: 'outbox.replay', count: records.length },
        `sending ${records.length} message(s) left in the outbox by the last run`,
      );
    }
    return records;
  }

  /** A new record for a message, numbered after every earlier one. */
  record(message: OutboundMessage): OutboxRecord {
    return { sequence: this.nextSequence++, message, acceptedAt: epochNow() };
  }

  /** Resolves once the record is stored; a failed write is logged and counted, never thrown. */
  async append(record: OutboxRecord): Promise<void> {
    try {
      await this.options.store.append(record);
      this.writeSucceeded();
    } catch (error) {
      this.writeFailed('append', error);
    }
  }

  /** Forgets a record in the background; if that fails it is only sent again after a restart. */
  remove(sequence: number): void {
    this.options.store.remove(sequence).then(
      () => this.writeSucceeded(),
      (error: unknown) => this.writeFailed('remove', error),
    );
  }

  close(): Promise<void> {
    return this.options.store.close();
  }

  private writeFailed(operation: 'append' | 'remove', error: unknown): void {
    this.options.metrics.outboxWriteErrors.inc({ operation });
    if (this.writesFailing) return; // one line per failing stretch, not one per message
    this.writesFailing = true;
    this.log.error(
      { event: 'outbox.write-failed', operation, error: describeError(error) },
      `could not write to the outbox (${describeError(error)}); messages are kept in memory only until writes work again`,
    );
  }

  private writeSucceeded(): void {
    if (!this.writesFailing) return;
    this.writesFailing = false;
    this.log.info({ event: 'outbox.write-recovered' }, 'outbox writes work again');
  }
}
