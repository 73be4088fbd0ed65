import { BehaviorSubject, defer, type Observable } from 'rxjs';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { BoundedQueue, type BoundedQueueOptions } from './bounded-queue.js';

export interface ActorOptions<M> {
  name: string;
  /** Processes one message. A throw or rejection is a crash: logged, counted, then back-off. */
  handle: (message: M) => Promise<void> | void;
  mailbox: BoundedQueueOptions<M>;
  /** Messages handled at once; 1 (the default) keeps strict order. */
  concurrency?: number;
  /** Pause after a crash before taking the next message; grows while crashes repeat. */
  restart?: BackoffOptions;
  /** Told about every message the actor gives up: evicted by overflow, crashed on, or left at stop. */
  onDrop?: (message: M, reason: 'queue-full' | 'crash' | 'shutdown', error?: unknown) => void;
  onRestart?: (error: unknown) => void;
  log?: Logger;
}

export interface ActorStatus {
  depth: number;
  running: number;
  paused: boolean;
  stopped: boolean;
}

const DEFAULT_RESTART: BackoffOptions = { initialDelayMs: 100, maxDelayMs: 30_000 };

/**
 * A long-lived worker: a bounded mailbox processed in order with a concurrency limit, under a
 * supervisor that turns a crash into a logged, counted back-off instead of a dead process.
 */
export class Actor<M> {
  private readonly mailbox: BoundedQueue<M>;
  private readonly concurrency: number;
  private readonly log: Logger;
  private running = 0;
  private pausedByOwner = false;
  private coolingDown: NodeJS.Timeout | undefined;
  private consecutiveCrashes = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly status = new BehaviorSubject<ActorStatus>(this.snapshot());

  constructor(private readonly options: ActorOptions<M>) {
    this.mailbox = new BoundedQueue(options.mailbox);
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.log = (options.log ?? silentLogger()).child({ actor: options.name });
  }

  get name(): string {
    return this.options.name;
  }

  get depth(): number {
    return this.mailbox.length;
  }

  get inFlight(): number {
    return this.running;
  }

  /** Current depth, running count and pause state; emits on every change. */
  get status$(): Observable<ActorStatus> {
    // Unwatched, the status is not kept up to date (see publishStatus): bring it up to date
    // for each new watcher first.
    return defer(() => {
      this.status.next(this.snapshot());
      return this.status.asObservable();
    });
  }

  /** Queues a message. Returns false when it was refused (stopped, or dropped as newest). */
  tell(message: M): boolean {
    if (this.stopped) {
      this.options.onDrop?.(message, 'shutdown');
      return false;
    }
    const { accepted, evicted } = this.mailbox.offer(message);
    for (const gone of evicted) this.options.onDrop?.(gone, 'queue-full');
    this.pump();
    return accepted;
  }

  /** Puts a message back at the head of the mailbox, e.g. to retry it before anything newer. */
  retry(message: M): void {
    if (this.stopped) {
      this.options.onDrop?.(message, 'shutdown');
      return;
    }
    this.mailbox.unshift(message);
    this.pump();
  }

  /** Stops taking messages from the mailbox (they keep queueing) until `resume`. */
  pause(): void {
    this.pausedByOwner = true;
    this.publishStatus();
  }

  resume(): void {
    this.pausedByOwner = false;
    this.pump();
  }

  /** Resolves true once the mailbox is empty and nothing runs, or false when `timeoutMs` passes. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  /** Refuses new messages and hands what is still queued to `onDrop` as `shutdown`. */
  stop(): M[] {
    this.stopped = true;
    clearTimeout(this.coolingDown);
    this.coolingDown = undefined;
    const left = this.mailbox.drain();
    for (const message of left) this.options.onDrop?.(message, 'shutdown');
    this.publishStatus();
    this.status.complete();
    this.wakeIfIdle(); // the drained mailbox may be all that kept a waiter waiting
    return left;
  }

  private pump(): void {
    while (
      !this.stopped &&
      !this.pausedByOwner &&
      this.coolingDown === undefined &&
      this.running < this.concurrency &&
      this.mailbox.length > 0
    ) {
      this.run(this.mailbox.shift() as M);
    }
    this.publishStatus();
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private run(message: M): void {
    this.running += 1;
    let outcome: Promise<void>;
    try {
      outcome = Promise.resolve(this.options.handle(message));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      () => {
        this.consecutiveCrashes = 0;
        this.running -= 1;
        this.pump();
      },
      (error: unknown) => {
        this.running -= 1;
        this.crashed(message, error);
        this.pump();
      },
    );
  }

  private crashed(message: M, error: unknown): void {
    const delay = backoffDelay(this.consecutiveCrashes, this.options.restart ?? DEFAULT_RESTART);
    this.consecutiveCrashes += 1;
    this.log.error(
      { event: 'actor.crashed', err: error, restartInMs: delay, crashes: this.consecutiveCrashes },
      `actor ${this.options.name} crashed; restarting in ${delay} ms`,
    );
    this.options.onDrop?.(message, 'crash', error);
    if (this.stopped) return; // no restart follows, so none is reported
    this.options.onRestart?.(error);
    clearTimeout(this.coolingDown);
    this.coolingDown = setTimeout(() => {
      this.coolingDown = undefined;
      this.pump();
    }, delay);
  }

  private isIdle(): boolean {
    return this.running === 0 && this.mailbox.length === 0;
  }

  private snapshot(): ActorStatus {
    return {
      depth: this.mailbox?.length ?? 0,
      running: this.running ?? 0,
      paused: Boolean(this.pausedByOwner || this.coolingDown),
      stopped: this.stopped ?? false,
    };
  }

  /**
   * Most actors (every publisher) are never watched, and their status changes twice per
   * message: building a snapshot nobody reads was measurable garbage under load.
   */
  private publishStatus(): void {
    if (this.status.observed) this.status.next(this.snapshot()); // a no-op once completed
  }
}
