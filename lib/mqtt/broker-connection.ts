import mqtt from 'mqtt';
import type {
  DoneCallback,
  IClientOptions,
  IClientPublishOptions,
  IConnackPacket,
  IDisconnectPacket,
  IPublishPacket,
  MqttClient,
} from 'mqtt';
import { BehaviorSubject, Observable, distinctUntilChanged, type Subscriber } from 'rxjs';
import { backoffDelay } from '../actors/backoff.js';
import type { QoS } from '../events.js';
import { ShortLivedMap } from '../hot-path/short-lived-map.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { describeError } from './describe-error.js';
import { OutgoingPacketStore } from './outgoing-packet-store.js';
import { BrokerUnavailableError, PublishRejectedError } from './publish-errors.js';
import type { StatusLine } from './status-lines.js';
import { isValidTopicFilter, isValidTopicName, topicMatchesFilter } from './topics.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

/** A message received on a subscription. */
export interface IncomingMqttMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: QoS;
  properties?: IPublishPacket['properties'];
}

/** A message of a `manualAck` subscription: its PUBACK goes to the broker only after `ack()`. */
export interface AckableMqttMessage extends IncomingMqttMessage {
  /**
   * Call once the message is handled. Until every manual-ack subscriber has called it the broker
   * counts the message as in flight and, to a persistent session, delivers it again after a
   * reconnect. Idempotent; does nothing for QoS 0.
   */
  ack(): void;
}

export interface MessagesOptions {
  qos: QoS;
  /** Hold each QoS 1 message's PUBACK until its `ack()` is called. */
  manualAck?: boolean;
}

export interface PublishRequest {
  qos: QoS;
  retain?: boolean;
  /** MQTT 5 only; ignored on MQTT 3.1.1. */
  properties?: IClientPublishOptions['properties'];
}

export interface BrokerConnectionOptions {
  /** `main` or `cloud`: labels logs and metrics. */
  name: string;
  url: string;
  clientOptions: IClientOptions;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  /** Published (QoS 0) on every connect, e.g. Butler's status line. */
  statusLine?: StatusLine;
  /** Retained `online` on every connect and `offline` on close; pair it with the last will. */
  availabilityTopic?: string;
  log: Logger;
  metrics: RelayMetrics;
}

/** A publish handed to MQTT.js (or waiting for the broker's receive window) and not yet settled. */
interface PendingPublish {
  readonly id: number;
  /** Counts against the broker's receive maximum until settled. */
  awaitsAck: boolean;
  settle(error?: Error): void;
}

interface FilterSubscription {
  qos: QoS;
  readonly listeners: Set<Subscriber<IncomingMqttMessage>>;
}

/** A received QoS 1 message whose PUBACK waits for its manual-ack subscribers. */
interface HeldAck {
  readonly topic: string;
  readonly payload: Buffer;
  /** Subscribers that have not called `ack()` yet. */
  waiting: number;
  /** True while it is being handed out, so an early `ack()` cannot release it half-way. */
  dispatching: boolean;
  /** The connection its PUBACK must go out on: a packet id means nothing on another one. */
  connection: number;
}

/**
 * Passed to MQTT.js's `handleMessage` callback to keep it from sending the PUBACK itself; it skips
 * the PUBACK on an error and carries on with the next packet (mqtt 5.x, handlers/publish.ts).
 */
class AckTakenOver extends Error {}

/** MQTT.js has no public way to send a PUBACK later; this is the method its handlers use. */
interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }, callback?: () => void): void;
}

const NO_RECEIVE_LIMIT = 65_535;

/**
 * MQTT.js traces each packet a dozen times through `debug`, which costs even when switched off
 * (a few per cent of the relay's time under load). Unless DEBUG asks for that trace, it goes
 * to a function that does nothing.
 */
const mqttTraceEnabled = (): boolean => /(^|[\s,])(\*|mqttjs)/.test(process.env.DEBUG ?? '');
const ignoreTrace = (): void => undefined;

/**
 * One client connection to one broker. It reconnects with back-off and jitter for as long as it is
 * open, reports its state, announces itself on every connect, restores subscriptions, and never
 * lets MQTT.js queue a publish while the connection is down.
 */
export class BrokerConnection {
  readonly name: string;
  readonly url: string;
  private readonly client: MqttClient;
  private readonly log: Logger;
  private readonly state = new BehaviorSubject<ConnectionState>('connecting');
  private readonly subscriptions = new Map<string, FilterSubscription>();
  /** Publishes not yet settled, by a number of their own; one comes and goes per message. */
  private readonly pending = new ShortLivedMap<number, PendingPublish>();
  private lastPendingId = 0;
  /** Publishes waiting for the broker's receive window, in order. */
  private waitingForWindow: (() => void)[] = [];
  private unacked = 0;
  /** Received QoS 1 messages whose PUBACK waits for `ack()`, by packet id. */
  private readonly heldAcks = new Map<number, HeldAck>();
  /** Packets whose PUBACK this class sends, not MQTT.js. */
  private readonly pubacksTakenOver = new WeakSet<IPublishPacket>();
  private readonly manualAckListeners = new WeakSet<Subscriber<IncomingMqttMessage>>();
  private connectionNumber = 0;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private serverDisconnect: { reasonCode?: number; reason?: string } | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  private corked = false;

  static open(options: BrokerConnectionOptions): BrokerConnection {
    return new BrokerConnection(options);
  }

  private constructor(private readonly options: BrokerConnectionOptions) {
    this.name = options.name;
    this.url = options.url;
    this.log = options.log.child({ component: 'mqtt', broker: options.name });
    this.client = mqtt.connect(options.url, {
      ...options.clientOptions,
      ...(mqttTraceEnabled() ? {} : { log: ignoreTrace }),
      outgoingStore: new OutgoingPacketStore(),
      reconnectPeriod: 0,
      queueQoSZero: false,
      resubscribe: false,
      manualConnect: true,
    });
    // Without an error listener an emitted error would be thrown and end the process.
    this.client.on('error', (error) => this.onError(error));
    this.client.on('connect', (connack) => this.onConnect(connack));
    this.client.on('close', () => this.onClose());
    this.client.on('disconnect', (packet) => this.onServerDisconnect(packet));
    this.client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
    // MQTT.js's documented hook, called right after `message`; its default answers at once.
    this.client.handleMessage = (packet, done) => this.handleMessage(packet, done);
    this.options.metrics.brokerConnected.set({ broker: this.name }, 0);
    this.startConnecting(() => this.client.connect());
  }

  /** The client id in use: the configured one, or MQTT.js's random `mqttjs_…`. */
  get clientId(): string {
    return this.client.options.clientId ?? '';
  }

  get protocolVersion(): 4 | 5 {
    return this.client.options.protocolVersion === 5 ? 5 : 4;
  }

  get connected(): boolean {
    return this.state.value === 'connected';
  }

  get state$(): Observable<ConnectionState> {
    return this.state.pipe(distinctUntilChanged());
  }

  /**
   * Resolves once the broker acknowledged (QoS 1/2) or the packet was written (QoS 0). Rejects with
   * `BrokerUnavailableError` when not connected or when the connection drops first, and with
   * `PublishRejectedError` when the broker refuses the message.
   */
  publish(topic: string, payload: string | Buffer, request: PublishRequest): Promise<void> {
    if (this.closing) {
      return Promise.reject(new BrokerUnavailableError(this.name, 'the connection is closing'));
    }
    return this.send(topic, payload, request);
  }

  /**
   * Messages on `filter`. Cold: the broker subscription is made for the first subscriber, dropped
   * when the last one leaves, and renewed after every reconnect. Completes when the connection closes.
   *
   * With `manualAck` each message carries `ack()`, and a QoS 1 message is acknowledged to the broker
   * only once every manual-ack subscriber that received it called it; other packets keep flowing
   * meanwhile. How many stay unacknowledged is bounded by the broker's in-flight window for this
   * client (Mosquitto: `max_inflight_messages`; MQTT 5: the client's Receive Maximum): beyond it the
   * broker sends no further QoS 1/2 message to this client, on any subscription, until one is acked.
   */
  messages(
    filter: string,
    options: MessagesOptions & { manualAck: true },
  ): Observable<AckableMqttMessage>;
  messages(filter: string, options: MessagesOptions): Observable<IncomingMqttMessage>;
  messages(filter: string, options: MessagesOptions): Observable<IncomingMqttMessage> {
    return new Observable<IncomingMqttMessage>((subscriber) => {
      if (!isValidTopicFilter(filter)) {
        subscriber.error(new Error(`invalid MQTT topic filter ${JSON.stringify(filter)}`));
        return undefined;
      }
      if (this.closing) {
        subscriber.complete();
        return undefined;
      }
      let entry = this.subscriptions.get(filter);
      if (entry === undefined) {
        entry = { qos: options.qos, listeners: new Set() };
        this.subscriptions.set(filter, entry);
        this.subscribeOnBroker(filter, entry.qos);
      } else if (options.qos > entry.qos) {
        entry.qos = options.qos;
        this.subscribeOnBroker(filter, entry.qos);
      }
      const joined = entry;
      joined.listeners.add(subscriber);
      if (options.manualAck) this.manualAckListeners.add(subscriber);
      return () => {
        joined.listeners.delete(subscriber);
        if (joined.listeners.size > 0 || this.subscriptions.get(filter) !== joined) return;
        this.subscriptions.delete(filter);
        if (this.client.connected && !this.closing) this.unsubscribeOnBroker(filter);
      };
    });
  }

  /**
   * Publishes the retained `offline` if connected (best effort), disconnects, and stops
   * reconnecting. Whatever is still unfinished when `deadlineMs` passes is cut off.
   */
  close(deadlineMs = 5_000): Promise<void> {
    this.closed ??= this.shutDown(deadlineMs);
    return this.closed;
  }

  private async shutDown(deadlineMs: number): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const deadline = Date.now() + deadlineMs;
    const { availabilityTopic } = this.options;
    if (this.client.connected && availabilityTopic) {
      await beforeDeadline(
        this.sendQuietly(availabilityTopic, 'offline', { qos: 1, retain: true }),
        deadline,
      );
    }
    await this.endClient(deadline);
    this.options.metrics.brokerConnected.set({ broker: this.name }, 0);
    this.state.next('closed');
    this.state.complete();
    for (const entry of this.subscriptions.values()) {
      for (const listener of entry.listeners) listener.complete();
    }
    this.subscriptions.clear();
    this.log.info({ event: 'mqtt.closed', url: this.url }, `connection to ${this.url} closed`);
  }

  /** Sends DISCONNECT once acknowledgements are in, or cuts the socket at the deadline. */
  private endClient(deadline: number): Promise<void> {
    const graceful = this.client.connected;
    return new Promise((resolve) => {
      const cutOff = setTimeout(
        () => {
          this.client.stream?.destroy();
          resolve();
        },
        Math.max(0, deadline - Date.now()),
      );
      this.client.end(!graceful, () => {
        clearTimeout(cutOff);
        resolve();
      });
    });
  }

  private send(topic: string, payload: string | Buffer, request: PublishRequest): Promise<void> {
    const refusal = this.refusal(topic, payload);
    if (refusal) return Promise.reject(refusal);
    return new Promise<void>((resolve, reject) => {
      const entry: PendingPublish = {
        id: (this.lastPendingId += 1),
        awaitsAck: false,
        settle: (error) => {
          if (!this.pending.delete(entry.id)) return; // settled already: once is enough
          if (entry.awaitsAck) {
            this.unacked -= 1;
            this.releaseWindow();
          }
          if (error) reject(error);
          else resolve();
        },
      };
      this.pending.set(entry.id, entry);
      const write = (): void => {
        entry.awaitsAck = request.qos > 0;
        if (entry.awaitsAck) this.unacked += 1;
        const { qos, retain = false, properties } = request;
        this.holdWritesForThisTurn();
        // MQTT.js spreads these over its defaults ({ qos, retain, dup }): an extra key, even one
        // holding undefined, costs what `copyWith` explains, so `properties` comes only when set.
        const options = properties === undefined ? { qos, retain } : { qos, retain, properties };
        this.client.publish(topic, payload, options, (error) =>
          entry.settle(error ? this.publishError(error) : undefined),
        );
      };
      const mustWait =
        request.qos > 0 &&
        (this.waitingForWindow.length > 0 || this.unacked >= this.receiveMaximum());
      if (mustWait) this.waitingForWindow.push(write);
      else write();
    });
  }

  /**
   * Keeps the socket's writes back until the event loop's check phase: every packet published
   * while it handles one batch of I/O (a burst of datagrams, a run of acknowledgements) then
   * leaves in one system call instead of one each, which under load was the relay's largest
   * single cost. Idle, it delays nothing measurable: the check phase follows right after.
   */
  private holdWritesForThisTurn(): void {
    // Undefined until the first connection attempt, though MQTT.js's type says otherwise.
    const stream = this.client.stream as MqttClient['stream'] | undefined;
    if (this.corked || stream === undefined) return;
    stream.cork();
    this.corked = true;
    setImmediate(() => {
      this.corked = false;
      stream.uncork();
    });
  }

  /** Why a publish must not reach MQTT.js now, if it must not. */
  private refusal(topic: string, payload: string | Buffer): Error | undefined {
    if (!this.client.connected) return new BrokerUnavailableError(this.name, 'not connected');
    // A broker answers these by dropping the connection, which would turn a retry into a loop.
    if (!isValidTopicName(topic)) {
      return new PublishRejectedError(this.name, 0x90, `invalid topic ${JSON.stringify(topic)}`);
    }
    const maximumPacketSize = this.client.serverProperties?.maximumPacketSize;
    const size = Buffer.byteLength(payload) + Buffer.byteLength(topic);
    if (maximumPacketSize !== undefined && size > maximumPacketSize) {
      return new PublishRejectedError(
        this.name,
        0x95,
        `${size} bytes exceed the broker's maximum packet size of ${maximumPacketSize}`,
      );
    }
    return undefined;
  }

  /** MQTT 5 brokers may limit unacknowledged QoS 1/2 publishes; exceeding it is a protocol error. */
  private receiveMaximum(): number {
    return this.client.serverProperties?.receiveMaximum ?? NO_RECEIVE_LIMIT;
  }

  private releaseWindow(): void {
    while (this.waitingForWindow.length > 0 && this.unacked < this.receiveMaximum()) {
      this.waitingForWindow.shift()?.();
    }
  }

  private publishError(error: Error): Error {
    if (error instanceof mqtt.ErrorWithReasonCode) {
      return new PublishRejectedError(this.name, error.code, error.message);
    }
    return new BrokerUnavailableError(this.name, error.message);
  }

  private sendQuietly(topic: string, payload: string, request: PublishRequest): Promise<void> {
    return this.send(topic, payload, request).catch((error: unknown) => {
      this.log.warn(
        { event: 'mqtt.publish-failed', topic, error: describeError(error) },
        `could not publish to ${topic}: ${describeError(error)}`,
      );
    });
  }

  private subscribeOnBroker(filter: string, qos: QoS): void {
    if (!this.client.connected) return; // made on the next connect
    this.client.subscribe(filter, { qos }, (error) => {
      if (error) {
        this.log.error(
          { event: 'mqtt.subscribe-failed', filter, error: describeError(error) },
          `subscribing to ${filter} failed: ${describeError(error)}`,
        );
      } else {
        this.log.debug({ event: 'mqtt.subscribed', filter, qos }, `subscribed to ${filter}`);
      }
    });
  }

  private unsubscribeOnBroker(filter: string): void {
    this.client.unsubscribe(filter, (error) => {
      if (error) {
        this.log.warn(
          { event: 'mqtt.unsubscribe-failed', filter, error: describeError(error) },
          `unsubscribing from ${filter} failed: ${describeError(error)}`,
        );
      } else {
        this.log.debug({ event: 'mqtt.unsubscribed', filter }, `unsubscribed from ${filter}`);
      }
    });
  }

  private onConnect(connack: IConnackPacket): void {
    this.connectionNumber += 1;
    // A new session: the broker forgot what it had sent, so held messages will not come again.
    if (!connack.sessionPresent) this.heldAcks.clear();
    this.countHeldAcks();
    if (this.closing) return;
    this.reconnectAttempt = 0;
    this.options.metrics.brokerConnected.set({ broker: this.name }, 1);
    this.log.info(
      {
        event: 'mqtt.connected',
        url: this.url,
        clientId: this.clientId,
        sessionPresent: connack.sessionPresent,
      },
      `connected to ${this.url} with client ID ${this.clientId}`,
    );
    const { statusLine, availabilityTopic } = this.options;
    if (statusLine) {
      void this.sendQuietly(statusLine.topic, statusLine.text(this.clientId), { qos: 0 });
    }
    if (availabilityTopic) {
      void this.sendQuietly(availabilityTopic, 'online', { qos: 1, retain: true });
    }
    for (const [filter, entry] of this.subscriptions) this.subscribeOnBroker(filter, entry.qos);
    this.state.next('connected');
  }

  private onClose(): void {
    this.failPendingPublishes();
    this.options.metrics.brokerConnected.set({ broker: this.name }, 0);
    if (this.state.value === 'connected' && !this.closing) {
      this.log.warn(
        { event: 'mqtt.disconnected', url: this.url, ...this.serverDisconnect },
        `disconnected from ${this.url}`,
      );
    }
    this.serverDisconnect = undefined;
    if (this.closing) return;
    this.state.next('disconnected');
    this.scheduleReconnect();
  }

  private onServerDisconnect(packet: IDisconnectPacket): void {
    this.serverDisconnect = {
      reasonCode: packet.reasonCode,
      reason: packet.properties?.reasonString,
    };
  }

  private onError(error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.log.error(
      { event: 'mqtt.error', url: this.url, code, error: describeError(error) },
      `MQTT error on ${this.url}: ${describeError(error)}`,
    );
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (this.isRedeliveryOfHeld(topic, payload, packet)) return;
    const message: IncomingMqttMessage = {
      topic,
      payload,
      retain: packet.retain,
      qos: packet.qos,
      properties: packet.properties,
    };
    const { messageId } = packet;
    const holdable = packet.qos === 1 && messageId !== undefined;
    let held: HeldAck | undefined;
    for (const [filter, entry] of this.subscriptions) {
      if (!topicMatchesFilter(topic, filter)) continue;
      for (const listener of entry.listeners) {
        if (!this.manualAckListeners.has(listener)) {
          listener.next(message);
        } else if (!holdable) {
          listener.next(withAck(message, () => undefined)); // QoS 0: nothing to acknowledge
        } else {
          held ??= this.hold(messageId, topic, payload);
          held.waiting += 1;
          listener.next(withAck(message, this.ackOnce(messageId, held)));
        }
      }
    }
    if (held === undefined) return;
    held.dispatching = false;
    if (held.waiting === 0)
      this.heldAcks.delete(messageId as number); // all acked at once
    else this.pubacksTakenOver.add(packet);
    this.countHeldAcks();
  }

  /**
   * A resumed session redelivers (DUP) what was not acknowledged. A copy of a message still being
   * handled is not handed out twice: its PUBACK follows on this connection once it is handled, or
   * now, if that happened while the connection was down.
   */
  private isRedeliveryOfHeld(topic: string, payload: Buffer, packet: IPublishPacket): boolean {
    const held = packet.messageId === undefined ? undefined : this.heldAcks.get(packet.messageId);
    if (!packet.dup || !held || held.topic !== topic || !held.payload.equals(payload)) return false;
    held.connection = this.connectionNumber;
    if (held.waiting > 0) this.pubacksTakenOver.add(packet);
    else this.heldAcks.delete(packet.messageId as number);
    this.countHeldAcks();
    return true;
  }

  private handleMessage(packet: IPublishPacket, done: DoneCallback): void {
    if (this.pubacksTakenOver.delete(packet)) done(new AckTakenOver());
    else done();
  }

  private hold(messageId: number, topic: string, payload: Buffer): HeldAck {
    const held: HeldAck = {
      topic,
      payload,
      waiting: 0,
      dispatching: true,
      connection: this.connectionNumber,
    };
    this.heldAcks.set(messageId, held);
    return held;
  }

  private ackOnce(messageId: number, held: HeldAck): () => void {
    let acked = false;
    return () => {
      if (acked) return;
      acked = true;
      held.waiting -= 1;
      if (held.waiting > 0 || held.dispatching) return;
      if (this.heldAcks.get(messageId) !== held) return; // its session is gone: nothing to ack
      // On another connection the PUBACK waits for the redelivery (isRedeliveryOfHeld).
      if (held.connection !== this.connectionNumber || !this.client.connected) return;
      this.heldAcks.delete(messageId);
      this.countHeldAcks();
      (this.client as unknown as PacketSender)._sendPacket({ cmd: 'puback', messageId });
    };
  }

  private countHeldAcks(): void {
    this.options.metrics.heldAcks.set({ broker: this.name }, this.heldAcks.size);
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== undefined || this.closing) return;
    const delayMs = backoffDelay(this.reconnectAttempt, this.options.reconnect);
    this.reconnectAttempt += 1;
    this.log.info(
      { event: 'mqtt.reconnecting', url: this.url, delayMs, attempt: this.reconnectAttempt },
      `reconnecting to ${this.url} in ${delayMs} ms`,
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closing) return;
      this.options.metrics.brokerReconnects.inc({ broker: this.name });
      this.failPendingPublishes();
      this.startConnecting(() =>
        this.client.reconnect({ outgoingStore: new OutgoingPacketStore() }),
      );
    }, delayMs);
  }

  private startConnecting(connect: () => void): void {
    this.state.next('connecting');
    try {
      connect();
    } catch (error) {
      // e.g. TLS material Node refuses; treated like any failed attempt.
      this.onError(error instanceof Error ? error : new Error(String(error)));
      this.state.next('disconnected');
      this.scheduleReconnect();
    }
  }

  /**
   * Settles every unfinished publish as failed, so its owner can retry it. MQTT.js would keep the
   * callbacks of unacknowledged QoS 1/2 publishes across `reconnect()`, which starts with empty
   * stores: they would never be called, and `end()` would wait for them forever. So they are
   * removed from MQTT.js as well.
   */
  private failPendingPublishes(): void {
    this.waitingForWindow = [];
    for (const entry of this.pending.values()) {
      entry.settle(
        new BrokerUnavailableError(this.name, 'connection lost before the acknowledgement'),
      );
    }
    this.unacked = 0;
    for (const [messageId, outgoing] of Object.entries(this.client.outgoing)) {
      if (outgoing.cmd === 'publish') this.client.removeOutgoingMessage(Number(messageId));
    }
  }
}

function withAck(message: IncomingMqttMessage, ack: () => void): AckableMqttMessage {
  return { ...message, ack };
}

function beforeDeadline(work: Promise<void>, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    void work.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
