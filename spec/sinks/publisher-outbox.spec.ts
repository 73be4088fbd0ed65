import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboundMessage, PublishOutcome } from '../../lib/events.js';
import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { LevelOutboxStore } from '../../lib/outbox/level-outbox-store.js';
import { Outbox } from '../../lib/outbox/outbox.js';
import { MqttSink } from '../../lib/sinks/mqtt-sink.js';
import { whenState } from '../support/connection-state.js';
import { freePort } from '../support/free-port.js';
import { metricValue } from '../support/metrics.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { testPublishOptions } from '../support/publish-options.js';
import { TestSubscriber } from '../support/subscriber.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { openTestConnection, type TestConnection } from '../support/test-connection.js';

const TOPIC = 'outbox/test';

/**
 * The publishers and the disk outbox together: a message is stored before it counts as accepted,
 * removed once acknowledged or dropped, and what is left at shutdown is sent by the next sink
 * that opens the same outbox, first and in order.
 */
describe('publishers with the disk outbox', () => {
  let broker: Mosquitto;
  let subscriber: TestSubscriber;
  let root: string;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    root = mkdtempSync(join(tmpdir(), 'publisher-outbox-'));
  });
  beforeEach(async () => {
    subscriber = await TestSubscriber.connect(broker.url, ['outbox/#']);
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
    await subscriber.close();
  });
  afterAll(async () => {
    await broker.stop();
    rmSync(root, { recursive: true, force: true });
  });

  let folders = 0;
  const newDirectory = (): string => join(root, `outbox-${(folders += 1)}`);

  function connect(port = broker.port): TestConnection {
    const opened = openTestConnection(
      standardBrokerOptions({ host: broker.host, port, protocolVersion: 5 }),
    );
    cleanups.push(() => opened.connection.close(1_000));
    return opened;
  }

  async function sinkOn(
    opened: TestConnection,
    directory: string,
    { maxAgeSeconds = 0, maxMessages = 100_000 } = {},
  ): Promise<{ sink: MqttSink; outbox: Outbox; close(): Promise<void> }> {
    const store = new LevelOutboxStore({ directory, fsync: 'always', fsyncIntervalMs: 1000 });
    const outbox = new Outbox({
      store,
      maxAgeSeconds,
      log: opened.logs.log,
      metrics: opened.metrics,
    });
    const left = await outbox.open();
    const sink = new MqttSink({
      connections: new Map([['main', opened.connection]]),
      options: testPublishOptions({ queue: { maxMessages } }),
      outbox,
      log: opened.logs.log,
      metrics: opened.metrics,
    });
    sink.restore(left);
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      sink.stop();
      await outbox.close();
    };
    cleanups.push(close);
    return { sink, outbox, close };
  }

  /** What a fresh store over the folder would replay. */
  async function leftIn(directory: string): Promise<string[]> {
    const store = new LevelOutboxStore({ directory, fsync: 'always', fsyncIntervalMs: 1000 });
    const { records } = await store.open();
    await store.close();
    return records.map((r) => String(r.message.payload));
  }

  const message = (payload: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
    topic: TOPIC,
    payload,
    eventId: `id-${payload}`,
    ...extra,
  });
  const numbered = (from: number, count: number): string[] =>
    Array.from({ length: count }, (_, i) => `m${from + i}`);

  it('counts a message as accepted once stored, and removes it once acknowledged', async () => {
    const directory = newDirectory();
    const opened = connect();
    await whenState(opened.connection, 'connected');
    const { sink, close } = await sinkOn(opened, directory);

    const taken = numbered(0, 50).map((p) => sink.accept(message(p)));
    expect(await Promise.all(taken.map((t) => t.accepted))).toEqual(Array(50).fill(true));
    for (const outcome of await Promise.all(taken.map((t) => t.outcome))) {
      expect(outcome.status).toBe('delivered');
    }
    expect(await metricValue(opened.metrics, 'relay_messages_accepted_total')).toBe(50);
    await close();
    expect(await leftIn(directory)).toEqual([]);
  });

  it('keeps what the broker never got at shutdown, and the next run sends it first, in order', async () => {
    const directory = newDirectory();
    const port = await freePort(); // no broker there yet
    const first = connect(port);
    const run1 = await sinkOn(first, directory);
    const outcomes = numbered(0, 20).map((p) => run1.sink.publish(message(p)));
    await run1.close();
    for (const outcome of await Promise.all(outcomes))
      expect(outcome).toEqual({ status: 'stored' });
    expect(first.logs.events('outbox.kept')).toEqual([expect.objectContaining({ count: 20 })]);
    expect(await metricValue(first.metrics, 'relay_dropped_total')).toBe(0);
    expect(await leftIn(directory)).toEqual(numbered(0, 20));

    const route = await startTcpProxy(broker.port, port); // the broker comes back
    cleanups.push(() => route.close());
    const second = connect(port);
    const run2 = await sinkOn(second, directory);
    const fresh: Promise<PublishOutcome>[] = numbered(20, 5).map((p) =>
      run2.sink.publish(message(p)),
    );
    expect(second.logs.events('outbox.replay')).toEqual([expect.objectContaining({ count: 20 })]);
    expect(await metricValue(second.metrics, 'relay_outbox_replayed_total')).toBe(20);

    const received = await subscriber.waitFor(TOPIC, 25);
    expect(received.map((m) => m.payload)).toEqual(numbered(0, 25));
    expect(received[0]?.properties?.userProperties).toEqual({ 'event-id': 'id-m0' });
    for (const outcome of await Promise.all(fresh)) expect(outcome.status).toBe('delivered');
    await run2.close();
    expect(await leftIn(directory)).toEqual([]);
  });

  it('removes what it drops: evicted by a full queue, or older than the age limit', async () => {
    const directory = newDirectory();
    const port = await freePort();
    const opened = connect(port);
    const { sink, close } = await sinkOn(opened, directory, { maxMessages: 3, maxAgeSeconds: 1 });
    const outcomes = numbered(0, 5).map((p) => sink.publish(message(p)));
    await expect(outcomes[0]).resolves.toEqual({ status: 'dropped', reason: 'queue-full' });
    await expect(outcomes[1]).resolves.toEqual({ status: 'dropped', reason: 'queue-full' });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the rest grow too old

    const route = await startTcpProxy(broker.port, port);
    cleanups.push(() => route.close());
    for (const outcome of outcomes.slice(2)) {
      await expect(outcome).resolves.toEqual({ status: 'dropped', reason: 'expired' });
    }
    await close();
    expect(await leftIn(directory)).toEqual([]);
    expect(await metricValue(opened.metrics, 'relay_dropped_total', { reason: 'expired' })).toBe(3);
  });

  it('refuses without storing what cannot be queued', async () => {
    const directory = newDirectory();
    const opened = connect();
    const { sink, close } = await sinkOn(opened, directory);
    sink.stop();
    const late = sink.accept(message('late'));
    await expect(late.accepted).resolves.toBe(false);
    await expect(late.outcome).resolves.toEqual({ status: 'dropped', reason: 'shutdown' });
    await close();
    expect(await leftIn(directory)).toEqual([]);
    expect(await metricValue(opened.metrics, 'relay_messages_accepted_total')).toBe(0);
  });
});
