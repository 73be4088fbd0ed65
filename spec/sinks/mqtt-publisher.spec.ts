import type { OutboundMessage, PublishOutcome } from '../../lib/events.js';
import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { MqttPublisher } from '../../lib/sinks/mqtt-publisher.js';
import type { PublishOptions } from '../../lib/sinks/publish-options.js';
import { whenState } from '../support/connection-state.js';
import { freePort } from '../support/free-port.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { testPublishOptions } from '../support/publish-options.js';
import { TestSubscriber } from '../support/subscriber.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { metricValue } from '../support/metrics.js';
import { openTestConnection, type TestConnection } from '../support/test-connection.js';
import { memoryOutbox } from '../support/memory-outbox.js';
import { someNumber } from '../support/typed-matchers.js';

const TOPIC = 'relay/test';

describe('MqttPublisher', () => {
  let broker: Mosquitto;
  let subscriber: TestSubscriber;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    broker = await startMosquitto({ acl: ['topic readwrite relay/#', 'topic read denied/#'] });
  });
  beforeEach(async () => {
    subscriber = await TestSubscriber.connect(broker.url, ['relay/#', 'denied/#']);
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
    await subscriber.close();
  });
  afterAll(async () => {
    await broker.stop();
  });

  function connect(port = broker.port, protocolVersion: 4 | 5 = 5): TestConnection {
    const opened = openTestConnection(
      standardBrokerOptions({ host: broker.host, port, protocolVersion }),
    );
    cleanups.push(() => opened.connection.close(1_000));
    return opened;
  }

  function publisherOn(
    { connection, logs, metrics }: TestConnection,
    options: PublishOptions = testPublishOptions(),
    topic = TOPIC,
  ): MqttPublisher {
    const publisher = new MqttPublisher({
      broker: 'main',
      topic,
      connection,
      options,
      outbox: memoryOutbox(logs.log, metrics),
      log: logs.log,
      metrics,
    });
    cleanups.push(() => publisher.stop());
    return publisher;
  }

  const message = (payload: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
    topic: TOPIC,
    payload,
    ...extra,
  });
  const numbered = (count: number): string[] => Array.from({ length: count }, (_, i) => `m${i}`);

  it('delivers in order with several messages in flight, each settled once', async () => {
    const opened = connect();
    await whenState(opened.connection, 'connected');
    const publisher = publisherOn(opened, testPublishOptions({ inFlight: 10 }));
    const payloads = numbered(300);

    const outcomes = await Promise.all(payloads.map((p) => publisher.publish(message(p))));

    for (const outcome of outcomes) {
      expect(outcome).toEqual({ status: 'delivered', latencyMs: someNumber() });
    }
    expect((await subscriber.waitFor(TOPIC, 300)).map((m) => m.payload)).toEqual(payloads);
    const labels = { broker: 'main', topic: TOPIC };
    expect(await metricValue(opened.metrics, 'relay_published_total', { broker: 'main' })).toBe(
      300,
    );
    expect(await metricValue(opened.metrics, 'relay_publish_queue_depth', labels)).toBe(0);
    expect(await metricValue(opened.metrics, 'relay_publish_in_flight', labels)).toBe(0);
    expect(publisher.status()).toMatchObject({ queued: 0, inFlight: 0, connected: true });
  });

  it('sends QoS 1 by default and a message’s own QoS when it names one', async () => {
    const opened = connect();
    const publisher = publisherOn(opened);
    await publisher.publish(message('default'));
    await publisher.publish(message('qos0', { qos: 0 }));
    const [first, second] = await subscriber.waitFor(TOPIC, 2);
    expect(first).toMatchObject({ payload: 'default', qos: 1 });
    expect(second).toMatchObject({ payload: 'qos0', qos: 0 });
  });

  it('carries the event id and the message expiry as MQTT 5 properties', async () => {
    const publisher = publisherOn(connect(), testPublishOptions({ messageExpirySeconds: 600 }));
    await publisher.publish(message('own expiry', { eventId: 'evt-1', expirySeconds: 60 }));
    await publisher.publish(message('default expiry'));
    const [own, fallback] = await subscriber.waitFor(TOPIC, 2);
    expect(own?.properties?.userProperties).toEqual({ 'event-id': 'evt-1' });
    expect(own?.properties?.messageExpiryInterval).toBeGreaterThan(0);
    expect(own?.properties?.messageExpiryInterval).toBeLessThanOrEqual(60);
    expect(fallback?.properties?.messageExpiryInterval).toBeGreaterThan(60);
    expect(fallback?.properties?.userProperties).toBeUndefined();
  });

  it('sends no MQTT 5 properties over MQTT 3.1.1', async () => {
    const publisher = publisherOn(
      connect(broker.port, 4),
      testPublishOptions({ messageExpirySeconds: 600 }),
    );
    await publisher.publish(message('plain', { eventId: 'evt-2' }));
    const [plain] = await subscriber.waitFor(TOPIC, 1);
    expect(plain?.properties?.userProperties).toBeUndefined();
    expect(plain?.properties?.messageExpiryInterval).toBeUndefined();
  });

  it.each([
    ['drop-oldest', ['m0', 'm1', 'm2'], ['m3', 'm4', 'm5', 'm6', 'm7']],
    ['drop-newest', ['m5', 'm6', 'm7'], ['m0', 'm1', 'm2', 'm3', 'm4']],
  ] as const)(
    'with a full queue and %s, drops exactly the overflow and delivers the rest in order',
    async (overflow, dropped, delivered) => {
      const port = await freePort();
      const opened = connect(port); // nothing listens yet: messages wait in the queue
      const publisher = publisherOn(
        opened,
        testPublishOptions({ queue: { maxMessages: 5, overflow } }),
      );
      const pending = new Map<string, Promise<PublishOutcome>>();
      for (const p of numbered(8)) pending.set(p, publisher.publish(message(p)));

      for (const p of dropped) {
        await expect(pending.get(p)).resolves.toEqual({ status: 'dropped', reason: 'queue-full' });
      }
      const counted = { component: 'publisher', reason: 'queue-full' };
      expect(await metricValue(opened.metrics, 'relay_dropped_total', counted)).toBe(3);
      const reports = opened.logs.events('publish.dropped');
      expect(reports).toHaveLength(1); // the first drop at once, the rest held back by the throttle
      expect(reports[0]).toMatchObject({ level: 40, dropped: { 'queue-full': 1 } });
      expect(publisher.status()).toMatchObject({ queued: 5, connected: false });
      const series = { broker: 'main', topic: TOPIC };
      expect(await metricValue(opened.metrics, 'relay_publish_queue_depth', series)).toBe(5);

      const route = await startTcpProxy(broker.port, port); // the broker appears
      cleanups.push(() => route.close());
      for (const p of delivered) {
        await expect(pending.get(p)).resolves.toMatchObject({ status: 'delivered' });
      }
      expect((await subscriber.waitFor(TOPIC, 5)).map((m) => m.payload)).toEqual(delivered);

      publisher.stop();
      expect((await opened.metrics.queueDepth.get()).values).toEqual([]); // gone with it
      expect(opened.logs.events('publish.dropped')[1]).toMatchObject({
        dropped: { 'queue-full': 2 },
      });
    },
  );

  it('drops a message larger than the byte bound as too-large', async () => {
    const opened = connect();
    const publisher = publisherOn(opened, testPublishOptions({ queue: { maxBytes: 10 } }));
    await expect(publisher.publish(message('x'.repeat(11)))).resolves.toEqual({
      status: 'dropped',
      reason: 'too-large',
    });
    await expect(publisher.publish(message('x'.repeat(10)))).resolves.toMatchObject({
      status: 'delivered',
    });
    const counted = { component: 'publisher', reason: 'too-large' };
    expect(await metricValue(opened.metrics, 'relay_dropped_total', counted)).toBe(1);
  });

  it('drops what the broker refuses, and what no broker would take, as rejected', async () => {
    const opened = connect();
    const denied = publisherOn(opened, testPublishOptions(), 'denied/topic');
    const wildcard = publisherOn(opened, testPublishOptions(), 'relay/#');
    await expect(denied.publish({ topic: 'denied/topic', payload: 'x' })).resolves.toEqual({
      status: 'dropped',
      reason: 'rejected',
    });
    await expect(wildcard.publish({ topic: 'relay/#', payload: 'x' })).resolves.toEqual({
      status: 'dropped',
      reason: 'rejected',
    });
    const counted = { component: 'publisher', reason: 'rejected' };
    expect(await metricValue(opened.metrics, 'relay_dropped_total', counted)).toBe(2);
    expect(opened.logs.events('publish.dropped')[0]).toMatchObject({
      detail: expect.stringContaining('Not authorized'),
    });
    expect(
      await metricValue(opened.metrics, 'relay_publish_retries_total', { broker: 'main' }),
    ).toBe(0);
  });

  it('drops a topic with a control character as rejected instead of losing the connection', async () => {
    const opened = connect();
    await whenState(opened.connection, 'connected');
    const controlled = publisherOn(opened, testPublishOptions(), 'relay/tab\there');
    await expect(controlled.publish({ topic: 'relay/tab\there', payload: 'x' })).resolves.toEqual({
      status: 'dropped',
      reason: 'rejected',
    });
    const after = publisherOn(opened);
    await expect(after.publish(message('still connected'))).resolves.toMatchObject({
      status: 'delivered',
    });
    expect(await metricValue(opened.metrics, 'relay_broker_reconnects_total')).toBe(0);
  });

  it('retries messages whose connection dropped in flight, keeping their order', async () => {
    const proxy = await startTcpProxy(broker.port);
    cleanups.push(() => proxy.close());
    const opened = connect(proxy.port);
    await whenState(opened.connection, 'connected');
    const publisher = publisherOn(opened, testPublishOptions({ inFlight: 10 }));
    const payloads = numbered(100);

    const outcomes = payloads.map((p) => publisher.publish(message(p)));
    proxy.cutConnections(); // the first ten are on the wire, unacknowledged

    for (const outcome of await Promise.all(outcomes)) {
      expect(outcome.status).toBe('delivered');
    }
    const retries = await metricValue(opened.metrics, 'relay_publish_retries_total', {
      broker: 'main',
    });
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(opened.logs.events('publish.retry').length).toBeGreaterThanOrEqual(1);
    const received = (await subscriber.waitFor(TOPIC, 100)).map((m) => m.payload);
    expect(firstOccurrences(received)).toEqual(payloads); // a resend may duplicate, never reorder
  });

  it('drops a message whose MQTT 5 expiry passed while it waited', async () => {
    const port = await freePort();
    const publisher = publisherOn(connect(port));
    const outcome = publisher.publish(message('stale', { expirySeconds: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const route = await startTcpProxy(broker.port, port);
    cleanups.push(() => route.close());
    await expect(outcome).resolves.toEqual({ status: 'dropped', reason: 'expired' });
  });

  it('drains once everything is delivered, and drops what is left as shutdown on stop', async () => {
    const connected = publisherOn(connect());
    void connected.publish(message('a'));
    await expect(connected.drain(5_000)).resolves.toBe(true);

    const opened = connect(await freePort());
    const stranded = publisherOn(opened);
    const outcome = stranded.publish(message('b'));
    await expect(stranded.drain(50)).resolves.toBe(false);
    stranded.stop();
    await expect(outcome).resolves.toEqual({ status: 'dropped', reason: 'shutdown' });
    await expect(stranded.publish(message('c'))).resolves.toEqual({
      status: 'dropped',
      reason: 'shutdown',
    });
    const counted = { component: 'publisher', reason: 'shutdown' };
    expect(await metricValue(opened.metrics, 'relay_dropped_total', counted)).toBe(2);
  });
});

function firstOccurrences(values: string[]): string[] {
  return [...new Set(values)];
}
