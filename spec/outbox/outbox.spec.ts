import { describe, expect, it } from '@jest/globals';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { MemoryOutboxStore } from '../../lib/outbox/memory-outbox-store.js';
import { Outbox } from '../../lib/outbox/outbox.js';
import type { OutboxContents, OutboxRecord } from '../../lib/outbox/outbox-store.js';
import { captureLog } from '../support/log-capture.js';
import { metricValue } from '../support/metrics.js';

/** A memory store that can be told to fail its writes, or to report damaged records on open. */
class TroubledStore extends MemoryOutboxStore {
  failing = false;
  corrupt: OutboxContents['corrupt'] = [];

  override async open(): Promise<OutboxContents> {
    const contents = await super.open();
    return { ...contents, corrupt: this.corrupt };
  }

  override append(record: OutboxRecord): Promise<void> {
    return this.failing ? Promise.reject(new Error('ENOSPC: no space left')) : super.append(record);
  }

  override remove(sequence: number): Promise<void> {
    return this.failing
      ? Promise.reject(new Error('ENOSPC: no space left'))
      : super.remove(sequence);
  }
}

function outboxOn(store: TroubledStore, maxAgeSeconds = 0) {
  const logs = captureLog();
  const metrics = new RelayMetrics();
  return { outbox: new Outbox({ store, maxAgeSeconds, log: logs.log, metrics }), logs, metrics };
}

describe('Outbox', () => {
  it('numbers new records after the last one an earlier run left', async () => {
    const store = new TroubledStore();
    const first = outboxOn(store).outbox;
    await first.open();
    const a = first.record({ topic: 't', payload: 'a' });
    const b = first.record({ topic: 't', payload: 'b' });
    await first.append(a);
    await first.append(b);
    await first.close();

    const { outbox, metrics, logs } = outboxOn(store);
    expect(await outbox.open()).toEqual([a, b]);
    expect(outbox.record({ topic: 't', payload: 'c' }).sequence).toBe(b.sequence + 1);
    expect(await metricValue(metrics, 'relay_outbox_replayed_total')).toBe(2);
    expect(logs.events('outbox.replay')).toEqual([expect.objectContaining({ count: 2 })]);
  });

  it('describes damaged records (the first ten) and counts them all', async () => {
    const store = new TroubledStore();
    store.corrupt = Array.from({ length: 12 }, (_, i) => ({
      key: `0${i}`,
      problem: 'checksum mismatch',
    }));
    const { outbox, metrics, logs } = outboxOn(store);
    await outbox.open();
    expect(logs.events('outbox.corrupt-record')).toHaveLength(10);
    expect(logs.events('outbox.corrupt-record')[0]).toMatchObject({
      level: 40,
      key: '00',
      problem: 'checksum mismatch',
    });
    expect(logs.events('outbox.corrupt-records')).toEqual([expect.objectContaining({ count: 12 })]);
    expect(await metricValue(metrics, 'relay_outbox_corrupt_records_total')).toBe(12);
  });

  it('logs failing writes once per stretch, counts each, and says when they work again', async () => {
    const store = new TroubledStore();
    const { outbox, metrics, logs } = outboxOn(store);
    await outbox.open();
    store.failing = true;
    await outbox.append(outbox.record({ topic: 't', payload: 'a' })); // never throws
    await outbox.append(outbox.record({ topic: 't', payload: 'b' }));
    outbox.remove(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(logs.events('outbox.write-failed')).toEqual([
      expect.objectContaining({
        level: 50,
        operation: 'append',
        error: expect.stringContaining('ENOSPC'),
      }),
    ]);
    expect(
      await metricValue(metrics, 'relay_outbox_write_errors_total', { operation: 'append' }),
    ).toBe(2);
    expect(
      await metricValue(metrics, 'relay_outbox_write_errors_total', { operation: 'remove' }),
    ).toBe(1);

    store.failing = false;
    await outbox.append(outbox.record({ topic: 't', payload: 'c' }));
    expect(logs.events('outbox.write-recovered')).toHaveLength(1);
  });

  it('has no age limit at 0 seconds, and one in milliseconds otherwise', () => {
    expect(outboxOn(new TroubledStore(), 0).outbox.maxAgeMs).toBe(Infinity);
    expect(outboxOn(new TroubledStore(), 90).outbox.maxAgeMs).toBe(90_000);
  });
});
