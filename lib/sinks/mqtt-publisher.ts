import type { Subscription } from 'rxjs';
import { Actor } from '../actors/actor.js';
import { backoffDelay } from '../actors/backoff.js';
import type { DropReason, OutboundMessage, PublishOutcome } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import type { BrokerConnection, PublishRequest } from '../mqtt/broker-connection.js';
import { describeError } from '../mqtt/describe-error.js';
import { PublishRejectedError } from '../mqtt/publish-errors.js';
import { epochNow, type Outbox } from '../outbox/outbox.js';
import type { OutboxRecord } from '../outbox/outbox-store.js';
import type { PublishOptions } from './publish-options.js';

/** What a publisher needs of a connection. */
export type PublishingConnection = Pick<BrokerConnection, 'publish' | 'state$' | 'protocolVersion'>;

export interface MqttPublisherOptions {
  /** Broker name, for metrics and logs. */
  broker: string;
  topic: string;
  connection: PublishingConnection;
  options: PublishOptions;
  /** Where every accepted message is stored until it is acknowledged or dropped. */
  outbox: Outbox;
  log: Logger;
  metrics: RelayMetrics;
}

/** A message taken by a publisher: first accepted (stored in the outbox), then settled. */
export interface Acceptance {
  /** True once the message is in the outbox; false when it was refused at once. */
  readonly accepted: Promise<boolean>;
  /** Delivered, dropped with the reason, or kept in the outbox at shutdown. */
  readonly outcome: Promise<PublishOutcome>;
}

export interface PublisherStatus {
  broker: string;
  topic: string;
  queued: number;
  inFlight: number;
  connected: boolean;
  /** Waiting out the back-off after a failed attempt. */
  retrying: boolean;
}

interface QueuedMessage {
  /** The sequence orders failed attempts back in front; age and latency count from `acceptedAt`. */
  readonly record: OutboxRecord;
  readonly bytes: number;
  /** Written to the outbox, so it must be removed from there once settled. */
  inOutbox: boolean;
  readonly settle: (outcome: PublishOutcome) => void;
}

/** At most one `publish.dropped` line per publisher this often. */
export const PUBLISH_DROP_WARNING_INTERVAL_MS = 10_000;

/**
 * Publishes the messages for one broker and topic, in order, with up to `inFlight` awaiting the
 * broker's acknowledgement. It holds still while the connection is down, retries failed attempts
 * from the front of its queue with back-off, and reports every message as delivered or dropped
 * (with the reason) exactly once.
 */
export class MqttPublisher {
  readonly broker: string;
  readonly topic: string;
  private readonly actor: Actor<QueuedMessage>;
  private readonly log: Logger;
  private readonly drops: ThrottledDropReporter;
  private readonly subscriptions: Subscription[] = [];
  private connected = false;
  private attempting = 0;
  /** Failed while others were still in flight; requeued together once those settle. */
  private failedAttempts: QueuedMessage[] = [];
  private lastFailure: unknown;
  private consecutiveFailures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly unwatch: () => void;
  /** Messages left in a durable outbox at shutdown. */
  private kept = 0;

  constructor(private readonly options: MqttPublisherOptions) {
    const { broker, topic, options: publish, metrics } = options;
    this.broker = broker;
    this.topic = topic;
    this.log = options.log.child({ component: 'publisher', broker, topic });
    this.drops = new ThrottledDropReporter({
      log: this.log,
      metrics,
      event: 'publish.dropped',
      lines: { per: 'component', subject: `topic ${topic} on broker ${broker}` },
      intervalMs: PUBLISH_DROP_WARNING_INTERVAL_MS,
    });
    this.actor = new Actor<QueuedMessage>({
      name: `publisher:${broker}:${topic}`,
      handle: (queued) => this.attempt(queued),
      mailbox: {
        maxItems: publish.queue.maxMessages,
        maxBytes: publish.queue.maxBytes,
        sizeOf: (queued) => queued.bytes,
        overflow: publish.queue.overflow,
      },
      concurrency: publish.inFlight,
      // `attempt` never throws, so a crash is not expected; it would still be reported once.
      onDrop: (queued, reason) => this.drop(queued, reason === 'crash' ? 'rejected' : reason),
      log: this.log,
    });
    this.actor.pause(); // until the connection reports `connected`

    this.unwatch = metrics.watchPublisher(() => this.status());
    this.subscriptions.push(
      options.connection.state$.subscribe((state) => {
        this.connected = state === 'connected';
        this.updateGate();
      }),
    );
  }

  /** Resolves when the broker acknowledged the message, or when it was dropped, with the reason. */
  publish(message: OutboundMessage): Promise<PublishOutcome> {
    return this.accept(message).outcome;
  }

  /**
   * Takes a message: stores it in the outbox and queues it behind the ones before. It is accepted
   * once stored; from then on it is delivered or counted as dropped.
   */
  accept(message: OutboundMessage): Acceptance {
    const { queued, outcome } = this.queued(this.options.outbox.record(message), false);
    if (queued.bytes > this.options.options.queue.maxBytes) {
      this.drop(queued, 'too-large');
      return { accepted: Promise.resolve(false), outcome };
    }
    // Written before it is queued, so its removal (delivered or evicted) always follows the write.
    queued.inOutbox = true;
    const stored = this.options.outbox.append(queued.record);
    if (!this.actor.tell(queued)) return { accepted: Promise.resolve(false), outcome };
    const accepted = stored.then(() => {
      this.options.metrics.accepted.inc({ broker: this.broker });
      return true;
    });
    return { accepted, outcome };
  }

  /** Queues a message an earlier run left in the outbox; it is stored already. */
  restore(record: OutboxRecord): Promise<PublishOutcome> {
    const { queued, outcome } = this.queued(record, true);
    this.actor.tell(queued);
    return outcome;
  }

  /** Resolves true once nothing is queued or in flight, false if `timeoutMs` passes first. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.actor.whenIdle(timeoutMs);
  }

  /**
   * Stops taking messages. What is still queued stays in a durable outbox for the next start (the
   * count is returned) or, with the memory outbox, is dropped as `shutdown`. Messages in flight
   * settle when their acknowledgement comes.
   */
  stop(): number {
    if (this.stopped) return 0;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.actor.stop();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.unwatch(); // its series go with it: a topic that is gone keeps no time series alive
    this.drops.flush();
    return this.kept;
  }

  status(): PublisherStatus {
    return {
      broker: this.broker,
      topic: this.topic,
      queued: this.actor.depth,
      inFlight: this.actor.inFlight,
      connected: this.connected,
      retrying: this.retryTimer !== undefined,
    };
  }

  private queued(
    record: OutboxRecord,
    inOutbox: boolean,
  ): { queued: QueuedMessage; outcome: Promise<PublishOutcome> } {
    let resolve: (outcome: PublishOutcome) => void = () => undefined;
    const outcome = new Promise<PublishOutcome>((settle) => (resolve = settle));
    let settled = false;
    const queued: QueuedMessage = {
      record,
      inOutbox,
      bytes: Buffer.byteLength(record.message.payload),
      settle: (result) => {
        if (settled) return;
        settled = true;
        resolve(result);
      },
    };
    return { queued, outcome };
  }

  private async attempt(queued: QueuedMessage): Promise<void> {
    this.attempting += 1;
    try {
      await this.send(queued);
    } finally {
      this.attempting -= 1;
      if (this.attempting === 0 && this.failedAttempts.length > 0) this.requeueFailed();
    }
  }

  private async send(queued: QueuedMessage): Promise<void> {
    const ageMs = epochNow() - queued.record.acceptedAt;
    const request =
      ageMs > this.options.outbox.maxAgeMs ? undefined : this.requestFor(queued, ageMs);
    if (request === undefined) {
      this.drop(queued, 'expired');
      return;
    }
    try {
      await this.options.connection.publish(this.topic, queued.record.message.payload, request);
    } catch (error) {
      this.failed(queued, error);
      return;
    }
    this.consecutiveFailures = 0;
    const latencyMs = epochNow() - queued.record.acceptedAt;
    this.options.metrics.published.inc({ broker: this.broker });
    this.options.metrics.publishLatency.observe({ broker: this.broker }, latencyMs / 1000);
    this.options.outbox.remove(queued.record.sequence);
    queued.settle({ status: 'delivered', latencyMs });
  }

  /** The wire options for a message, or undefined when its MQTT 5 expiry has passed. */
  private requestFor(queued: QueuedMessage, ageMs: number): PublishRequest | undefined {
    const { message } = queued.record;
    const request: PublishRequest = {
      qos: message.qos ?? this.options.options.qos,
      retain: message.retain ?? false,
    };
    if (this.options.connection.protocolVersion !== 5) return request;
    const properties: NonNullable<PublishRequest['properties']> = {};
    const expirySeconds = message.expirySeconds ?? this.options.options.messageExpirySeconds;
    if (expirySeconds > 0) {
      const remainingSeconds = expirySeconds - ageMs / 1000;
      if (remainingSeconds <= 0) return undefined;
      // What is left, so a subscriber sees the message expire when it would have anyway.
      properties.messageExpiryInterval = Math.ceil(remainingSeconds);
    }
    if (message.eventId !== undefined) properties.userProperties = { 'event-id': message.eventId };
    if (Object.keys(properties).length > 0) request.properties = properties;
    return request;
  }

  private failed(queued: QueuedMessage, error: unknown): void {
    if (error instanceof PublishRejectedError) {
      this.drop(queued, 'rejected', error.message);
      return;
    }
    this.options.metrics.publishRetries.inc({ broker: this.broker });
    this.failedAttempts.push(queued);
    this.lastFailure = error;
    this.updateGate(); // nothing newer may start before the failed ones are back in front
  }

  /** Puts failed attempts back at the head, oldest first, and waits out the back-off. */
  private requeueFailed(): void {
    const failed = this.failedAttempts.sort((a, b) => b.record.sequence - a.record.sequence);
    this.failedAttempts = [];
    for (const queued of failed) this.actor.retry(queued); // each lands in front of the last
    if (this.stopped) return;
    const delayMs = backoffDelay(this.consecutiveFailures, this.options.options.retry);
    this.consecutiveFailures += 1;
    this.log.warn(
      {
        event: 'publish.retry',
        count: failed.length,
        delayMs,
        error: describeError(this.lastFailure),
      },
      `retrying ${failed.length} message(s) in ${delayMs} ms: ${describeError(this.lastFailure)}`,
    );
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.updateGate();
    }, delayMs);
    this.updateGate();
  }

  private updateGate(): void {
    const open =
      !this.stopped &&
      this.connected &&
      this.retryTimer === undefined &&
      this.failedAttempts.length === 0;
    if (open) this.actor.resume();
    else this.actor.pause();
  }

  private drop(queued: QueuedMessage, reason: DropReason, detail?: string): void {
    if (reason === 'shutdown' && queued.inOutbox && this.options.outbox.durable) {
      this.kept += 1; // not dropped: the next start sends it
      queued.settle({ status: 'stored' });
      return;
    }
    if (queued.inOutbox) this.options.outbox.remove(queued.record.sequence);
    this.drops.report({ component: 'publisher', reason, detail });
    queued.settle({ status: 'dropped', reason });
  }
}
