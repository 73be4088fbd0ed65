import type { OutboundMessage, PublishOutcome } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import type { Outbox } from '../outbox/outbox.js';
import type { OutboxRecord } from '../outbox/outbox-store.js';
import {
  MqttPublisher,
  type Acceptance,
  PUBLISH_DROP_WARNING_INTERVAL_MS,
  type PublishingConnection,
} from './mqtt-publisher.js';
import type { PublishOptions } from './publish-options.js';

export type { PublishOptions } from './publish-options.js';

export interface MqttSinkOptions {
  /** Open connections by broker name (`main`, `cloud`); each knows its MQTT protocol version. */
  connections: ReadonlyMap<string, PublishingConnection>;
  options: PublishOptions;
  /** Where every message is stored until its broker acknowledged it. */
  outbox: Outbox;
  log: Logger;
  metrics: RelayMetrics;
  /**
   * A publisher with nothing queued or in flight and no message for this long is closed; the next
   * message on its topic opens a new one. Keeps memory bounded when topics come from templates.
   */
  idlePublisherMs?: number;
}

const DEFAULT_BROKER = 'main';
const IDLE_PUBLISHER_MS = 5 * 60_000;

interface Route {
  readonly publisher: MqttPublisher;
  /** `Date.now()` when a message last came for this route. */
  lastUsed: number;
}

/**
 * Hands each message to the publisher of its broker and topic, made on first use, so one slow or
 * failing topic never holds up another and each topic keeps its order.
 */
export class MqttSink {
  private readonly byRoute = new Map<string, Route>();
  private readonly idleSweep: NodeJS.Timeout;
  private readonly reportedUnknownBrokers = new Set<string>();
  private readonly log: Logger;
  private readonly drops: ThrottledDropReporter;
  private stopped = false;

  constructor(private readonly options: MqttSinkOptions) {
    this.log = options.log.child({ component: 'sink' });
    this.drops = new ThrottledDropReporter({
      log: this.log,
      metrics: options.metrics,
      event: 'publish.dropped',
      lines: { per: 'component', subject: 'the sink' },
      intervalMs: PUBLISH_DROP_WARNING_INTERVAL_MS,
    });
    const idleMs = options.idlePublisherMs ?? IDLE_PUBLISHER_MS;
    this.idleSweep = setInterval(() => this.closeIdlePublishers(idleMs), idleMs);
    this.idleSweep.unref();
  }

  publish(message: OutboundMessage): Promise<PublishOutcome> {
    return this.accept(message).outcome;
  }

  /** Takes a message; `accepted` resolves once it is in the outbox (see `MqttPublisher.accept`). */
  accept(message: OutboundMessage): Acceptance {
    if (this.stopped) return this.refuse('shutdown');
    const publisher = this.routeOf(message);
    return (
      publisher?.accept(message) ??
      this.refuse('rejected', `no connection to broker "${message.broker ?? DEFAULT_BROKER}"`)
    );
  }

  /** Queues what an earlier run left in the outbox, ahead of anything new on the same topic. */
  restore(records: readonly OutboxRecord[]): void {
    for (const record of records) {
      const publisher = this.routeOf(record.message);
      if (publisher === undefined) {
        this.options.outbox.remove(record.sequence);
        this.drops.report({
          component: 'sink',
          reason: 'rejected',
          detail: 'its broker is no longer configured',
        });
      } else {
        void publisher.restore(record);
      }
    }
  }

  /** Resolves true once every publisher is idle, false if `timeoutMs` passes first. */
  async drain(timeoutMs: number): Promise<boolean> {
    const idle = await Promise.all(this.publishers().map((p) => p.drain(timeoutMs)));
    return idle.every(Boolean);
  }

  /** Stops every publisher; what is still queued stays in a durable outbox for the next start. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.idleSweep);
    let kept = 0;
    for (const { publisher } of this.byRoute.values()) kept += publisher.stop();
    this.drops.flush();
    if (kept > 0) {
      this.log.info(
        { event: 'outbox.kept', count: kept },
        `${kept} message(s) stay in the outbox and are sent at the next start`,
      );
    }
  }

  publishers(): readonly MqttPublisher[] {
    return [...this.byRoute.values()].map((route) => route.publisher);
  }

  /** The publisher of a message's broker and topic, or undefined (reported once) for an unknown broker. */
  private routeOf(message: OutboundMessage): MqttPublisher | undefined {
    const broker = message.broker ?? DEFAULT_BROKER;
    const publisher = this.publisherFor(broker, message.topic);
    if (publisher === undefined && !this.reportedUnknownBrokers.has(broker)) {
      this.reportedUnknownBrokers.add(broker); // once per name: every message would repeat it
      this.log.error(
        { event: 'publish.unknown-broker', broker, topic: message.topic },
        `no connection to broker "${broker}"; its messages are dropped`,
      );
    }
    return publisher;
  }

  private publisherFor(broker: string, topic: string): MqttPublisher | undefined {
    const key = `${broker}\u0000${topic}`; // NUL cannot occur in a broker name or topic
    const route = this.byRoute.get(key);
    if (route !== undefined) {
      route.lastUsed = Date.now();
      return route.publisher;
    }
    const connection = this.options.connections.get(broker);
    if (connection === undefined) return undefined;
    const publisher = new MqttPublisher({
      broker,
      topic,
      connection,
      options: this.options.options,
      outbox: this.options.outbox,
      log: this.options.log,
      metrics: this.options.metrics,
    });
    this.byRoute.set(key, { publisher, lastUsed: Date.now() });
    return publisher;
  }

  private closeIdlePublishers(idleMs: number): void {
    const before = Date.now() - idleMs;
    for (const [key, { publisher, lastUsed }] of this.byRoute) {
      const { queued, inFlight, retrying } = publisher.status();
      if (lastUsed > before || queued > 0 || inFlight > 0 || retrying) continue;
      publisher.stop();
      this.byRoute.delete(key);
    }
  }

  private refuse(reason: 'rejected' | 'shutdown', detail?: string): Acceptance {
    this.drops.report({ component: 'sink', reason, detail });
    return {
      accepted: Promise.resolve(false),
      outcome: Promise.resolve({ status: 'dropped', reason }),
    };
  }
}
