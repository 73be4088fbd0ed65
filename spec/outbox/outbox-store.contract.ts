import { afterEach, describe, expect, it } from '@jest/globals';
import type { OutboundMessage } from '../../lib/events.js';
import { OutboxError, type OutboxRecord, type OutboxStore } from '../../lib/outbox/outbox-store.js';

/** A store under test and a way to get the same store back, as the next run would. */
export interface StoreUnderTest {
  store: OutboxStore;
  /** A store over the same data, as a restarted process opens it (after `store.close()`). */
  reopen(): OutboxStore;
}

const record = (sequence: number, message: Partial<OutboundMessage> = {}): OutboxRecord => ({
  sequence,
  message: { topic: `t/${sequence}`, payload: `payload ${sequence}`, ...message },
  acceptedAt: 1_700_000_000_000 + sequence + 0.25,
});

/**
 * What every outbox store promises, run against each of them: what was appended and not removed
 * comes back on the next open, whole and in sequence order.
 */
export function describeOutboxStore(name: string, create: () => StoreUnderTest): void {
  describe(`${name} (outbox store contract)`, () => {
    const open: OutboxStore[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close().catch(() => undefined);
    });

    async function restart(subject: StoreUnderTest): Promise<OutboxStore> {
      await subject.store.close();
      const next = subject.reopen();
      open.push(next);
      return next;
    }

    function fresh(): StoreUnderTest {
      const subject = create();
      open.push(subject.store);
      return subject;
    }

    it('starts empty', async () => {
      const { store } = fresh();
      await expect(store.open()).resolves.toEqual({ records: [], corrupt: [] });
    });

    it('gives back what was appended and not removed, in sequence order', async () => {
      const subject = fresh();
      await subject.store.open();
      await Promise.all([3, 1, 4, 2].map((n) => subject.store.append(record(n))));
      await subject.store.remove(4);

      const next = await restart(subject);
      const { records, corrupt } = await next.open();
      expect(corrupt).toEqual([]);
      expect(records).toEqual([record(1), record(2), record(3)]);
    });

    it('keeps every field of a message, a text payload as text and a binary one as bytes', async () => {
      const subject = fresh();
      await subject.store.open();
      const binary = Buffer.from([0, 255, 1, 128, 10, 13]);
      const full = record(1, {
        topic: 'qliksense/task_failure_full',
        payload: '{"taskName":"Reload ✓"}',
        qos: 2,
        retain: true,
        broker: 'cloud',
        eventId: 'mf1-2a',
        expirySeconds: 60,
      });
      const bare = record(2, { payload: binary });
      await subject.store.append(full);
      await subject.store.append(bare);

      const { records } = await (await restart(subject)).open();
      expect(records[0]).toEqual(full);
      expect(records[1]?.message).toEqual({ topic: 't/2', payload: binary });
      expect(Buffer.isBuffer(records[1]?.message.payload)).toBe(true);
      expect(Object.keys(records[1]?.message ?? {}).sort()).toEqual(['payload', 'topic']);
    });

    it('orders sequences beyond 32 bits correctly', async () => {
      const subject = fresh();
      await subject.store.open();
      const big = 2 ** 40;
      await subject.store.append(record(big + 1));
      await subject.store.append(record(big));
      await subject.store.append(record(255));
      const { records } = await (await restart(subject)).open();
      expect(records.map((r) => r.sequence)).toEqual([255, big, big + 1]);
    });

    it('takes a burst of concurrent appends and removals', async () => {
      const subject = fresh();
      await subject.store.open();
      const count = 2_000;
      const sequences = Array.from({ length: count }, (_, i) => i + 1);
      await Promise.all(sequences.map((n) => subject.store.append(record(n))));
      await Promise.all(sequences.filter((n) => n % 2 === 0).map((n) => subject.store.remove(n)));
      const { records } = await (await restart(subject)).open();
      expect(records.map((r) => r.sequence)).toEqual(sequences.filter((n) => n % 2 === 1));
    });

    it('removes a record that was appended in the same breath', async () => {
      const subject = fresh();
      await subject.store.open();
      const appended = subject.store.append(record(7));
      const removed = subject.store.remove(7);
      await Promise.all([appended, removed]);
      const { records } = await (await restart(subject)).open();
      expect(records).toEqual([]);
    });

    it('treats removing an unknown record as done', async () => {
      const { store } = fresh();
      await store.open();
      await expect(store.remove(42)).resolves.toBeUndefined();
    });

    it('refuses writes once closed, with an OutboxError', async () => {
      const { store } = fresh();
      await store.open();
      await store.close();
      await expect(store.append(record(1))).rejects.toBeInstanceOf(OutboxError);
      await expect(store.remove(1)).rejects.toBeInstanceOf(OutboxError);
    });
  });
}
