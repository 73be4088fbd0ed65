import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { QoS } from '../../lib/events.js';

export interface ReceivedMessage {
  topic: string;
  payload: string;
  retain: boolean;
  qos: QoS;
  properties?: IPublishPacket['properties'];
}

/**
 * A plain MQTT.js client that records every message it receives, per topic. It reconnects on its
 * own (every 100 ms), so it follows a broker restart.
 */
export class TestSubscriber {
  private readonly byTopic = new Map<string, ReceivedMessage[]>();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const list = this.byTopic.get(topic) ?? [];
      list.push({
        topic,
        payload: payload.toString('utf8'),
        retain: packet.retain,
        qos: packet.qos,
        properties: packet.properties,
      });
      this.byTopic.set(topic, list);
      for (const wake of this.waiters) wake();
    });
  }

  /** Connects (MQTT 5 unless told otherwise) and subscribes to `filters` at QoS 1. */
  static async connect(
    url: string,
    filters: string[],
    options: IClientOptions = {},
  ): Promise<TestSubscriber> {
    const client = mqtt.connect(url, {
      protocolVersion: 5,
      reconnectPeriod: 100,
      connectTimeout: 5_000,
      ...options,
    });
    // Listening before the first connect: a resumed session may deliver at once.
    const subscriber = new TestSubscriber(client);
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        client.end(true);
        reject(error);
      };
      client.once('error', fail);
      client.once('connect', () => {
        client.off('error', fail);
        resolve();
      });
    });
    client.on('error', () => undefined); // reconnect attempts during a broker restart fail loudly
    await client.subscribeAsync(filters, { qos: 1 });
    return subscriber;
  }

  /** Messages received on `topic` so far, oldest first. */
  messages(topic: string): ReceivedMessage[] {
    return [...(this.byTopic.get(topic) ?? [])];
  }

  payloads(topic: string): string[] {
    return this.messages(topic).map((m) => m.payload);
  }

  /** Resolves with the messages on `topic` once there are at least `count`. */
  waitFor(topic: string, count: number, timeoutMs = 5_000): Promise<ReceivedMessage[]> {
    return this.waitUntil(
      () => this.messages(topic).length >= count,
      () => `${count} message(s) on ${topic}, got ${this.messages(topic).length}`,
      timeoutMs,
    ).then(() => this.messages(topic));
  }

  /** Resolves with the first message on `topic` (from now on or earlier) matching `test`. */
  waitForMessage(
    topic: string,
    test: (message: ReceivedMessage) => boolean,
    timeoutMs = 5_000,
  ): Promise<ReceivedMessage> {
    const find = (): ReceivedMessage | undefined => this.messages(topic).find(test);
    return this.waitUntil(
      () => find() !== undefined,
      () => `a matching message on ${topic}; got ${JSON.stringify(this.payloads(topic))}`,
      timeoutMs,
    ).then(() => find() as ReceivedMessage);
  }

  /** Forgets what was received. */
  clear(): void {
    this.byTopic.clear();
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  private waitUntil(done: () => boolean, what: () => string, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}
