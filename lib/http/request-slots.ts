import { Actor } from '../actors/actor.js';
import type { Logger } from '../log/logger.js';

export interface RequestSlotsOptions {
  /** For the actor's log lines. */
  readonly name: string;
  /** Requests on the wire at once. */
  readonly concurrency: number;
  /** Requests waiting for a slot; one more is refused at once. */
  readonly maxQueued: number;
  readonly log: Logger;
}

/** Why a request never got a slot, as the clients put it in their errors. */
const REFUSALS = {
  'queue-full': 'too many requests waiting',
  shutdown: 'client closed',
  crash: 'internal error',
} as const;

interface SlotRequest {
  send(): Promise<void>;
  refuse(reason: keyof typeof REFUSALS, error?: unknown): void;
}

/**
 * Bounded concurrency for an HTTP client: an actor whose slots are the requests on the wire, with
 * a bounded wait; a request that finds the queue full, or the client closed, is refused at once
 * instead of piling up behind a slow service.
 */
export class RequestSlots {
  private readonly actor: Actor<SlotRequest>;

  constructor(options: RequestSlotsOptions) {
    this.actor = new Actor<SlotRequest>({
      name: options.name,
      handle: (request) => request.send(),
      mailbox: { maxItems: Math.max(1, options.maxQueued), overflow: 'drop-newest' },
      concurrency: options.concurrency,
      onDrop: (request, reason, error) => request.refuse(reason, error),
      log: options.log,
    });
  }

  /**
   * Runs `send` in a slot and settles as it does; when no slot is given, rejects with what
   * `refused` makes of the reason (`too many requests waiting`, `client closed`, …).
   */
  run<T>(send: () => Promise<T>, refused: (reason: string, cause: unknown) => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.actor.tell({
        send: async () => {
          try {
            resolve(await send());
          } catch (error) {
            reject(error);
          }
        },
        refuse: (reason, error) => reject(refused(REFUSALS[reason], error)),
      });
    });
  }

  /** Refuses new requests and fails the waiting ones; requests on the wire finish. */
  close(): void {
    this.actor.stop();
  }
}
