import mqtt, { type MqttClient } from 'mqtt';

export type MessageHandler = (topic: string, payload: Buffer) => void;

/** A plain QoS 1 subscriber that hands every message to `handler`, which may be swapped. */
export class BenchSubscriber {
  handler: MessageHandler = () => undefined;

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.handler(topic, payload));
  }

  static async connect(url: string, filters: string[]): Promise<BenchSubscriber> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    client.on('error', () => undefined); // a broken connection shows as missing messages
    const subscriber = new BenchSubscriber(client);
    await client.subscribeAsync(filters, { qos: 1 });
    return subscriber;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
