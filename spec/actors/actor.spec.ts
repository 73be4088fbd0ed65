import { jest } from '@jest/globals';
import { Actor, type ActorOptions, type ActorStatus } from '../../lib/actors/actor.js';
import { captureLog } from '../support/log-capture.js';

type DropReason = 'queue-full' | 'crash' | 'shutdown';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets settled handler promises run their continuations without moving the fake clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

/**
 * An actor whose handler records each message and then waits for the test to finish it, so the
 * test decides when and in which order work completes.
 */
function harness<M extends string>(options: Partial<ActorOptions<M>> = {}) {
  const started: M[] = [];
  const pending = new Map<M, Deferred>();
  const drops: [M, DropReason, unknown][] = [];
  const restarts: unknown[] = [];
  const { log, records } = captureLog();
  const actor = new Actor<M>({
    name: 'test-actor',
    mailbox: { maxItems: 100 },
    handle: (message) => {
      started.push(message);
      const done = deferred();
      pending.set(message, done);
      return done.promise;
    },
    onDrop: (message, reason, error) => drops.push([message, reason, error]),
    onRestart: (error) => restarts.push(error),
    restart: { initialDelayMs: 100, maxDelayMs: 1_000 },
    log,
    ...options,
  });
  const finish = async (message: M, error?: Error): Promise<void> => {
    const done = pending.get(message);
    if (done === undefined) throw new Error(`${message} is not running`);
    pending.delete(message);
    if (error === undefined) done.resolve();
    else done.reject(error);
    await settle();
  };
  return { actor, started, drops, restarts, records, finish };
}

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  // Upper end of the jitter, so restart delays are exactly the nominal 100, 200, 400 … ms.
  jest.spyOn(Math, 'random').mockReturnValue(0.999_999);
});

afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('Actor', () => {
  describe('ordering and concurrency', () => {
    it('handles one message at a time, in order, by default', async () => {
      const { actor, started, finish } = harness();
      for (const m of ['a', 'b', 'c']) expect(actor.tell(m)).toBe(true);
      expect(started).toEqual(['a']);
      expect(actor.depth).toBe(2);
      await finish('a');
      expect(started).toEqual(['a', 'b']);
      await finish('b');
      await finish('c');
      expect(started).toEqual(['a', 'b', 'c']);
      expect(actor.depth).toBe(0);
      expect(actor.inFlight).toBe(0);
    });

    it('never runs more handlers at once than its concurrency', async () => {
      let running = 0;
      let maxRunning = 0;
      const handled: number[] = [];
      const actor = new Actor<number>({
        name: 'pool',
        mailbox: { maxItems: 100 },
        concurrency: 3,
        handle: async (n) => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await new Promise((resolve) => setTimeout(resolve, (n * 7) % 11)); // uneven finish order
          handled.push(n);
          running -= 1;
        },
      });
      for (let n = 0; n < 30; n += 1) actor.tell(n);
      expect(actor.inFlight).toBe(3);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(maxRunning).toBe(3);
      expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(actor.inFlight).toBe(0);
    });
  });

  describe('bounded mailbox', () => {
    it('evicts the oldest waiting messages and reports them as queue-full', async () => {
      const { actor, started, drops, finish } = harness({ mailbox: { maxItems: 2 } });
      for (const m of ['a', 'b', 'c', 'd', 'e']) expect(actor.tell(m)).toBe(true);
      expect(drops).toEqual([
        ['b', 'queue-full', undefined],
        ['c', 'queue-full', undefined],
      ]);
      await finish('a');
      await finish('d');
      await finish('e');
      expect(started).toEqual(['a', 'd', 'e']);
    });

    it('refuses the newest message with drop-newest and reports it as queue-full', () => {
      const { actor, drops } = harness({ mailbox: { maxItems: 2, overflow: 'drop-newest' } });
      actor.pause();
      const accepted = ['a', 'b', 'c', 'd'].map((m) => actor.tell(m));
      expect(accepted).toEqual([true, true, false, false]);
      expect(drops.map(([m, reason]) => [m, reason])).toEqual([
        ['c', 'queue-full'],
        ['d', 'queue-full'],
      ]);
      expect(actor.depth).toBe(2);
    });
  });

  describe('supervision', () => {
    it('reports, logs and restarts after a rejection, then goes on after a back-off', async () => {
      const { actor, started, drops, restarts, records, finish } = harness();
      actor.tell('bad');
      actor.tell('next');
      const failure = new Error('boom');
      await finish('bad', failure);

      expect(drops).toEqual([['bad', 'crash', failure]]);
      expect(restarts).toEqual([failure]);
      expect(records).toContainEqual(
        expect.objectContaining({ event: 'actor.crashed', actor: 'test-actor', restartInMs: 100 }),
      );
      expect(started).toEqual(['bad']);

      await jest.advanceTimersByTimeAsync(99);
      expect(started).toEqual(['bad']);
      await jest.advanceTimersByTimeAsync(1);
      expect(started).toEqual(['bad', 'next']);
    });

    it('treats a synchronous throw like a rejection', async () => {
      const failure = new Error('sync boom');
      const handled: string[] = [];
      const drops: [string, DropReason, unknown][] = [];
      const actor = new Actor<string>({
        name: 'sync',
        mailbox: { maxItems: 10 },
        restart: { initialDelayMs: 10, maxDelayMs: 10 },
        handle: (m) => {
          if (m === 'bad') throw failure;
          handled.push(m);
        },
        onDrop: (m, reason, error) => drops.push([m, reason, error]),
      });
      actor.tell('bad');
      actor.tell('good');
      await jest.advanceTimersByTimeAsync(10);
      expect(drops).toEqual([['bad', 'crash', failure]]);
      expect(handled).toEqual(['good']);
    });

    it('grows the restart delay while crashes repeat and resets it after a success', async () => {
      const { actor, records, finish } = harness();
      const delays = (): unknown[] =>
        records.filter((r) => r.event === 'actor.crashed').map((r) => r.restartInMs);
      for (const m of ['bad1', 'bad2', 'bad3', 'good', 'bad4']) actor.tell(m);

      await finish('bad1', new Error('1'));
      await jest.advanceTimersByTimeAsync(100);
      await finish('bad2', new Error('2'));
      await jest.advanceTimersByTimeAsync(200);
      await finish('bad3', new Error('3'));
      await jest.advanceTimersByTimeAsync(399);
      expect(actor.inFlight).toBe(0); // still cooling down after 399 of 400 ms
      await jest.advanceTimersByTimeAsync(1);
      await finish('good');
      await finish('bad4', new Error('4'));

      expect(delays()).toEqual([100, 200, 400, 100]);
    });

    it('caps the restart delay', async () => {
      const { actor, records, finish } = harness({
        restart: { initialDelayMs: 100, maxDelayMs: 250 },
      });
      for (const m of ['a', 'b', 'c', 'd']) actor.tell(m);
      for (const m of ['a', 'b', 'c', 'd']) {
        await finish(m, new Error(m));
        await jest.advanceTimersByTimeAsync(250);
      }
      const delays = records.filter((r) => r.event === 'actor.crashed').map((r) => r.restartInMs);
      expect(delays).toEqual([100, 200, 250, 250]);
    });
  });

  describe('pause and resume', () => {
    it('queues without handling while paused and picks up on resume', async () => {
      const { actor, started, finish } = harness();
      actor.pause();
      actor.tell('a');
      actor.tell('b');
      expect(started).toEqual([]);
      expect(actor.depth).toBe(2);
      actor.resume();
      expect(started).toEqual(['a']);
      await finish('a');
      expect(started).toEqual(['a', 'b']);
    });

    it('does not end a crash back-off early on resume', async () => {
      const { actor, started, finish } = harness();
      actor.tell('bad');
      actor.tell('next');
      await finish('bad', new Error('boom'));
      actor.pause();
      actor.resume();
      expect(started).toEqual(['bad']);
      await jest.advanceTimersByTimeAsync(100);
      expect(started).toEqual(['bad', 'next']);
    });
  });

  describe('retry', () => {
    it('puts a message back at the head, before anything newer', async () => {
      const { actor, started, finish } = harness();
      for (const m of ['a', 'b', 'c']) actor.tell(m);
      actor.retry('a'); // e.g. the broker refused it; it must go before b and c
      await finish('a');
      await finish('a');
      await finish('b');
      await finish('c');
      expect(started).toEqual(['a', 'a', 'b', 'c']);
    });

    it('keeps a retry even when the mailbox is full', async () => {
      const { actor, started, drops, finish } = harness({ mailbox: { maxItems: 1 } });
      actor.tell('a');
      actor.tell('b');
      actor.retry('a');
      expect(drops).toEqual([]);
      expect(actor.depth).toBe(2);
      await finish('a');
      await finish('a');
      expect(started).toEqual(['a', 'a', 'b']);
    });
  });

  describe('whenIdle', () => {
    it('resolves true at once when idle', async () => {
      const { actor } = harness();
      await expect(actor.whenIdle(0)).resolves.toBe(true);
    });

    it('resolves true once the mailbox is empty and nothing runs', async () => {
      const { actor, finish } = harness();
      actor.tell('a');
      actor.tell('b');
      const idle = actor.whenIdle(1_000);
      await finish('a');
      await finish('b');
      await expect(idle).resolves.toBe(true);
    });

    it('resolves false when the time runs out first', async () => {
      const { actor } = harness();
      actor.tell('stuck');
      const idle = actor.whenIdle(500);
      await jest.advanceTimersByTimeAsync(500);
      await expect(idle).resolves.toBe(false);
    });
  });

  describe('stop', () => {
    it('hands what is still queued to onDrop as shutdown and returns it', async () => {
      const { actor, drops } = harness();
      for (const m of ['a', 'b', 'c']) actor.tell(m);
      expect(actor.stop()).toEqual(['b', 'c']);
      expect(drops).toEqual([
        ['b', 'shutdown', undefined],
        ['c', 'shutdown', undefined],
      ]);
    });

    it('refuses later tells and retries as shutdown drops', () => {
      const { actor, started, drops } = harness();
      actor.stop();
      expect(actor.tell('late')).toBe(false);
      actor.retry('again');
      expect(started).toEqual([]);
      expect(drops.map(([m, reason]) => [m, reason])).toEqual([
        ['late', 'shutdown'],
        ['again', 'shutdown'],
      ]);
    });

    it('lets the running handler finish without taking more', async () => {
      const { actor, started, finish } = harness();
      actor.tell('a');
      actor.tell('b');
      actor.stop();
      await finish('a');
      expect(started).toEqual(['a']);
      expect(actor.inFlight).toBe(0);
    });

    it('reports a crash after stop but neither restarts nor schedules a back-off', async () => {
      const { actor, drops, restarts, finish } = harness();
      actor.tell('a');
      actor.stop();
      await finish('a', new Error('late crash'));
      expect(drops.map(([m, reason]) => [m, reason])).toEqual([['a', 'crash']]);
      expect(restarts).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('cancels a pending back-off', async () => {
      const { actor, finish } = harness();
      actor.tell('a');
      await finish('a', new Error('boom'));
      expect(jest.getTimerCount()).toBe(1);
      actor.stop();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('wakes whoever waits for idle, since nothing is left to do', async () => {
      const { actor } = harness();
      actor.pause();
      actor.tell('a');
      const idle = actor.whenIdle(1_000);
      actor.stop();
      await expect(idle).resolves.toBe(true);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('status$', () => {
    it('emits depth, running and pause state as they change, then completes on stop', async () => {
      const { actor, finish } = harness();
      const seen: ActorStatus[] = [];
      let completed = false;
      actor.status$.subscribe({ next: (s) => seen.push(s), complete: () => (completed = true) });
      const last = (): ActorStatus | undefined => seen[seen.length - 1];

      expect(last()).toEqual({ depth: 0, running: 0, paused: false, stopped: false });
      actor.pause();
      expect(last()).toEqual({ depth: 0, running: 0, paused: true, stopped: false });
      actor.tell('a');
      actor.tell('b');
      expect(last()).toEqual({ depth: 2, running: 0, paused: true, stopped: false });
      actor.resume();
      expect(last()).toEqual({ depth: 1, running: 1, paused: false, stopped: false });
      await finish('a', new Error('boom'));
      // Cooling down after the crash counts as paused.
      expect(last()).toEqual({ depth: 1, running: 0, paused: true, stopped: false });
      await jest.advanceTimersByTimeAsync(100);
      expect(last()).toEqual({ depth: 0, running: 1, paused: false, stopped: false });

      actor.stop();
      expect(last()).toEqual({ depth: 0, running: 1, paused: false, stopped: true });
      expect(completed).toBe(true);
      const count = seen.length;
      await finish('b');
      expect(seen).toHaveLength(count);
    });
  });
});
