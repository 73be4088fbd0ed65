import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { MqttSink } from '../../lib/sinks/mqtt-sink.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { testPublishOptions } from '../support/publish-options.js';
import { TestSubscriber } from '../support/subscriber.js';
import { metricValue } from '../support/metrics.js';
import { openTestConnection, type TestConnection } from '../support/test-connection.js';
import { memoryOutbox } from '../support/memory-outbox.js';
import { waitUntil } from '../support/wait-until.js';

describe('MqttSink', () => {
  let broker: Mosquitto;
  let subscriber: TestSubscriber;
  let main: TestConnection;
  let cloud: TestConnection;
  let sink: MqttSink;

  beforeAll(async () => {
    broker = await startMosquitto();
    subscriber = await TestSubscriber.connect(broker.url, ['sink/#']);
  });
  beforeEach(() => {
    const options = standardBrokerOptions({
      host: broker.host,
      port: broker.port,
      protocolVersion: 5,
    });
    main = openTestConnection(options);
    cloud = openTestConnection(options, { name: 'cloud' });
    sink = new MqttSink({
      connections: new Map([
        ['main', main.connection],
        ['cloud', cloud.connection],
      ]),
      options: testPublishOptions(),
      outbox: memoryOutbox(main.logs.log, main.metrics),
      log: main.logs.log,
      metrics: main.metrics,
    });
  });
  afterEach(async () => {
    sink.stop();
    await Promise.all([main.connection.close(1_000), cloud.connection.close(1_000)]);
    subscriber.clear();
  });
  afterAll(async () => {
    await subscriber.close();
    await broker.stop();
  });

  it('makes one publisher per broker and topic, on first use', async () => {
    const outcomes = await Promise.all([
      sink.publish({ topic: 'sink/a', payload: 'a1' }),
      sink.publish({ topic: 'sink/b', payload: 'b1' }),
      sink.publish({ topic: 'sink/a', payload: 'a2', broker: 'main' }),
      sink.publish({ topic: 'sink/a', payload: 'a3', broker: 'cloud' }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);
    expect(sink.publishers().map((p) => p.status())).toEqual([
      expect.objectContaining({ broker: 'main', topic: 'sink/a' }),
      expect.objectContaining({ broker: 'main', topic: 'sink/b' }),
      expect.objectContaining({ broker: 'cloud', topic: 'sink/a' }),
    ]);
    expect((await subscriber.waitFor('sink/a', 3)).map((m) => m.payload).sort()).toEqual([
      'a1',
      'a2',
      'a3',
    ]);
    expect(await metricValue(main.metrics, 'relay_published_total', { broker: 'cloud' })).toBe(1);
    await expect(sink.drain(1_000)).resolves.toBe(true);
  });

  it('drops messages for a broker it has no connection to, logging that once', async () => {
    const first = await sink.publish({ topic: 'sink/x', payload: '1', broker: 'elsewhere' });
    const second = await sink.publish({ topic: 'sink/x', payload: '2', broker: 'elsewhere' });

    expect(first).toEqual({ status: 'dropped', reason: 'rejected' });
    expect(second).toEqual({ status: 'dropped', reason: 'rejected' });
    expect(main.logs.events('publish.unknown-broker')).toEqual([
      expect.objectContaining({ level: 50, broker: 'elsewhere' }),
    ]);
    const counted = { component: 'sink', reason: 'rejected' };
    expect(await metricValue(main.metrics, 'relay_dropped_total', counted)).toBe(2);
    sink.stop();
    expect(main.logs.events('publish.dropped')).toEqual([
      expect.objectContaining({ component: 'sink', dropped: { rejected: 1 }, total: 1 }),
      expect.objectContaining({
        dropped: { rejected: 1 },
        detail: 'no connection to broker "elsewhere"',
      }),
    ]);
    expect(sink.publishers()).toHaveLength(0);
  });

  it('refuses messages once stopped', async () => {
    sink.stop();
    await expect(sink.publish({ topic: 'sink/late', payload: 'x' })).resolves.toEqual({
      status: 'dropped',
      reason: 'shutdown',
    });
  });

  it('closes publishers that have been idle, and opens a new one when their topic is used again', async () => {
    const idle = new MqttSink({
      connections: new Map([['main', main.connection]]),
      options: testPublishOptions(),
      outbox: memoryOutbox(main.logs.log, main.metrics),
      log: main.logs.log,
      metrics: main.metrics,
      idlePublisherMs: 50,
    });
    try {
      // Topics from a template: each message its own topic.
      const topics = Array.from({ length: 20 }, (_, i) => `sink/templated/${i}`);
      await Promise.all(topics.map((topic) => idle.publish({ topic, payload: 'x' })));
      expect(idle.publishers()).toHaveLength(20);

      await waitUntil(() => idle.publishers().length === 0, 'idle publishers closed', 5_000);
      const series = (await main.metrics.queueDepth.get()).values;
      expect(series.filter((v) => String(v.labels.topic).startsWith('sink/templated/'))).toEqual(
        [],
      );

      await expect(
        idle.publish({ topic: 'sink/templated/0', payload: 'again' }),
      ).resolves.toMatchObject({
        status: 'delivered',
      });
      expect((await subscriber.waitFor('sink/templated/0', 2)).map((m) => m.payload)).toEqual([
        'x',
        'again',
      ]);
    } finally {
      idle.stop();
    }
  });
});
