import { performance } from 'node:perf_hooks';
import type { MessageHandler } from '../support/subscriber.js';
import { markOfFullPayload, markOfTaskName } from './datagram.js';

export interface TaskTopics {
  readonly basic: string;
  readonly full: string;
}

/** Receipt of one load's events: an event is delivered once both its messages arrived. */
export class DeliveryTracker {
  messages = 0;
  duplicates = 0;
  delivered = 0;
  /** `performance.now()` of the last message, or undefined before the first. */
  lastReceiptAt: number | undefined;
  readonly latenciesMs: number[] = [];
  private readonly basic: Uint8Array;
  private readonly full: Uint8Array;

  constructor(readonly offered: number) {
    this.basic = new Uint8Array(offered);
    this.full = new Uint8Array(offered);
  }

  receive(kind: 'basic' | 'full', seq: number, sentAt: number, at: number): void {
    if (seq < 0 || seq >= this.offered) return;
    const seen = kind === 'basic' ? this.basic : this.full;
    this.messages += 1;
    this.lastReceiptAt = at;
    if (seen[seq] === 1) {
      this.duplicates += 1; // QoS 1 allows a resend; it is not a second delivery
      return;
    }
    seen[seq] = 1;
    this.latenciesMs.push(at - sentAt);
    const other = kind === 'basic' ? this.full : this.basic;
    if (other[seq] === 1) this.delivered += 1;
  }
}

/** Hands each task message to the tracker of the load it belongs to. */
export class TaskMessageRouter {
  private readonly trackers = new Map<number, DeliveryTracker>();
  /** Messages with no send mark, or of a load no longer tracked. */
  strays = 0;

  constructor(private readonly topics: TaskTopics) {}

  track(loadId: number, offered: number): DeliveryTracker {
    const tracker = new DeliveryTracker(offered);
    this.trackers.set(loadId, tracker);
    return tracker;
  }

  untrack(loadId: number): void {
    this.trackers.delete(loadId);
  }

  readonly handle: MessageHandler = (topic, payload) => {
    const at = performance.now();
    const kind = topic === this.topics.full ? 'full' : topic === this.topics.basic ? 'basic' : '';
    if (kind === '') return;
    const text = payload.toString('utf8');
    const mark = kind === 'basic' ? markOfTaskName(text) : markOfFullPayload(text);
    const tracker = mark && this.trackers.get(mark.loadId);
    if (!mark || !tracker) {
      this.strays += 1;
      return;
    }
    tracker.receive(kind, mark.seq, mark.sentAt, at);
  };
}
