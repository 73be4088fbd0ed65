import { firstValueFrom, toArray } from 'rxjs';
import type { ConnectionState, IncomingMqttMessage } from '../../lib/mqtt/broker-connection.js';
import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { BrokerUnavailableError } from '../../lib/mqtt/publish-errors.js';
import { MAIN_STATUS_TOPIC, mainBrokerStatusLine } from '../../lib/mqtt/status-lines.js';
import { whenState } from '../support/connection-state.js';
import { freePort } from '../support/free-port.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { TestSubscriber } from '../support/subscriber.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { metricValue } from '../support/metrics.js';
import { openTestConnection, type TestConnection } from '../support/test-connection.js';
import { waitUntil } from '../support/wait-until.js';
import { someNumber } from '../support/typed-matchers.js';

const AVAILABILITY = 'qliksense/sense-mqtt-relay/availability';

describe('BrokerConnection', () => {
  let broker: Mosquitto;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });
  afterAll(async () => {
    await broker.stop();
  });

  function open(
    host: string,
    port: number,
    availability = true,
    protocolVersion: 4 | 5 = 4,
  ): TestConnection {
    const opened = openTestConnection(
      standardBrokerOptions({
        host,
        port,
        protocolVersion,
        availability: { enable: availability, topic: AVAILABILITY },
      }),
      {
        statusLine: mainBrokerStatusLine(host, port),
        availabilityTopic: availability ? AVAILABILITY : undefined,
      },
    );
    cleanups.push(() => opened.connection.close(1_000));
    return opened;
  }

  async function subscribe(url: string, filters: string[]): Promise<TestSubscriber> {
    const subscriber = await TestSubscriber.connect(url, filters);
    cleanups.push(() => subscriber.close());
    return subscriber;
  }

  it('announces itself with Butler’s status line and a retained online', async () => {
    const watcher = await subscribe(broker.url, [MAIN_STATUS_TOPIC]);
    const { connection, logs, metrics } = open(broker.host, broker.port);
    await whenState(connection, 'connected');

    expect(connection.clientId).toMatch(/^mqttjs_[0-9a-f]+$/);
    const [status] = await watcher.waitFor(MAIN_STATUS_TOPIC, 1);
    expect(status?.payload).toBe(
      `Connected to MQTT broker ${broker.host}:${broker.port} with client ID ${connection.clientId}`,
    );
    const late = await subscribe(broker.url, [AVAILABILITY]);
    const [online] = await late.waitFor(AVAILABILITY, 1);
    expect(online).toMatchObject({ payload: 'online', retain: true });
    expect(await metricValue(metrics, 'relay_broker_connected', { broker: 'main' })).toBe(1);
    expect(logs.events('mqtt.connected')[0]).toMatchObject({ clientId: connection.clientId });
  });

  it('publishes a retained offline on a clean close and ends closed', async () => {
    const { connection, metrics, logs } = open(broker.host, broker.port);
    await whenState(connection, 'connected');
    await connection.close(2_000);

    expect(connection.connected).toBe(false);
    const state = await firstValueFrom(connection.state$, { defaultValue: 'completed' });
    expect(state).toBe('completed'); // closed, and nothing more will come
    expect(await metricValue(metrics, 'relay_broker_connected', { broker: 'main' })).toBe(0);
    expect(logs.events('mqtt.closed')).toHaveLength(1);
    const late = await subscribe(broker.url, [AVAILABILITY]);
    expect((await late.waitFor(AVAILABILITY, 1))[0]).toMatchObject({
      payload: 'offline',
      retain: true,
    });
    await expect(connection.publish('a/b', 'x', { qos: 1 })).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
  });

  it('leaves a last will of offline when its connection dies, then comes back online', async () => {
    const proxy = await startTcpProxy(broker.port);
    cleanups.push(() => proxy.close());
    const { connection } = open(broker.host, proxy.port);
    await whenState(connection, 'connected');
    const watcher = await subscribe(broker.url, [AVAILABILITY]);
    await watcher.waitForMessage(AVAILABILITY, (m) => m.payload === 'online');
    watcher.clear();

    proxy.cutConnections();

    const [will, back] = await watcher.waitFor(AVAILABILITY, 2);
    expect(will?.payload).toBe('offline');
    expect(back?.payload).toBe('online');
    expect(connection.connected).toBe(true);
  });

  it('reconnects with back-off after the broker restarts', async () => {
    const restartable = await startMosquitto();
    cleanups.push(() => restartable.stop());
    const { connection, metrics, logs } = open(restartable.host, restartable.port, false);
    const states: ConnectionState[] = [];
    const recording = connection.state$.subscribe((s) => states.push(s));
    cleanups.push(async () => recording.unsubscribe());
    await whenState(connection, 'connected');

    await restartable.stop();
    await whenState(connection, 'disconnected');
    await waitUntil(() => logs.events('mqtt.reconnecting').length >= 2, 'two reconnect attempts');
    await restartable.start();
    await whenState(connection, 'connected');

    expect(states.slice(0, 4)).toEqual(['connecting', 'connected', 'disconnected', 'connecting']);
    expect(states.at(-1)).toBe('connected');
    for (let i = 1; i < states.length; i++) {
      expect(NEXT_STATES[states[i - 1] as ConnectionState]).toContain(states[i]);
    }
    expect(
      await metricValue(metrics, 'relay_broker_reconnects_total', { broker: 'main' }),
    ).toBeGreaterThanOrEqual(2);
    expect(logs.events('mqtt.disconnected')).toHaveLength(1);
    expect(logs.events('mqtt.reconnecting')[0]).toMatchObject({ delayMs: someNumber() });
    expect(logs.events('mqtt.connected')).toHaveLength(2);
  });

  it('keeps retrying an unreachable broker without throwing', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => process.off('unhandledRejection', onUnhandled));
    const port = await freePort();
    const { connection, logs, metrics } = open('127.0.0.1', port);

    await waitUntil(() => logs.events('mqtt.reconnecting').length >= 3, 'three reconnect attempts');
    const [error] = logs.events('mqtt.error');
    expect(error).toMatchObject({
      code: 'ECONNREFUSED',
      error: expect.stringContaining('ECONNREFUSED'),
    });
    expect(connection.connected).toBe(false);
    expect(await metricValue(metrics, 'relay_broker_connected', { broker: 'main' })).toBe(0);
    await expect(connection.publish('a/b', 'x', { qos: 1 })).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    await connection.close(500);
    expect(unhandled).toEqual([]);
  });

  it('keeps many concurrent QoS 1 publishes in order within the broker’s receive maximum', async () => {
    const watcher = await subscribe(broker.url, ['window/#']);
    const { connection } = open(broker.host, broker.port, false, 5); // Mosquitto allows 20
    await whenState(connection, 'connected');
    const payloads = Array.from({ length: 100 }, (_, i) => `m${i}`);

    await Promise.all(payloads.map((p) => connection.publish('window/t', p, { qos: 1 })));

    expect((await watcher.waitFor('window/t', 100)).map((m) => m.payload)).toEqual(payloads);
  });

  it('settles every unacknowledged publish as failed when the connection drops', async () => {
    const proxy = await startTcpProxy(broker.port);
    cleanups.push(() => proxy.close());
    const { connection } = open(broker.host, proxy.port, false, 5);
    await whenState(connection, 'connected');
    const results = Array.from({ length: 100 }, (_, i) =>
      connection.publish('window/t', `m${i}`, { qos: 1 }).then(
        () => 'acknowledged',
        (error: unknown) => (error instanceof BrokerUnavailableError ? 'failed' : String(error)),
      ),
    );

    proxy.cutConnections();

    const settled = await Promise.all(results); // none may hang
    expect(new Set(settled)).toEqual(new Set(['failed']));
    await whenState(connection, 'connected');
    await expect(connection.publish('window/t', 'after', { qos: 1 })).resolves.toBeUndefined();
  });

  it('delivers subscribed messages and renews the subscription after a reconnect', async () => {
    const proxy = await startTcpProxy(broker.port);
    cleanups.push(() => proxy.close());
    const { connection } = open(broker.host, proxy.port, false);
    await whenState(connection, 'connected');
    const received: IncomingMqttMessage[] = [];
    const subscription = connection
      .messages('commands/+/start', { qos: 1 })
      .subscribe((m) => received.push(m));
    cleanups.push(async () => subscription.unsubscribe());

    // Sent on the same connection, so the broker has taken the SUBSCRIBE before the PUBLISH.
    await connection.publish('commands/task1/start', 'one', { qos: 1 });
    await waitUntil(() => received.length === 1, 'the first message');
    expect(received[0]).toMatchObject({ topic: 'commands/task1/start', qos: 1, retain: false });
    expect(received[0]?.payload.toString()).toBe('one');

    proxy.cutConnections();
    await whenState(connection, 'disconnected');
    await whenState(connection, 'connected');
    await connection.publish('commands/task2/start', 'two', { qos: 1 });
    await waitUntil(() => received.length === 2, 'a message after the reconnect');
    expect(received[1]?.payload.toString()).toBe('two');
  });

  it('subscribes for the first subscriber and unsubscribes when the last one leaves', async () => {
    const { connection, logs } = open(broker.host, broker.port, false);
    await whenState(connection, 'connected');
    const first: string[] = [];
    const second: string[] = [];
    const messages = connection.messages('shared/filter', { qos: 1 });
    const a = messages.subscribe((m) => first.push(m.payload.toString()));
    const b = messages.subscribe((m) => second.push(m.payload.toString()));

    await connection.publish('shared/filter', 'both', { qos: 1 });
    await waitUntil(() => first.length === 1 && second.length === 1, 'both subscribers');
    a.unsubscribe();
    await connection.publish('shared/filter', 'second only', { qos: 1 });
    await waitUntil(() => second.length === 2, 'the remaining subscriber');
    expect(first).toEqual(['both']);
    expect(logs.events('mqtt.subscribed')).toHaveLength(1);

    b.unsubscribe();
    await waitUntil(() => logs.events('mqtt.unsubscribed').length === 1, 'the unsubscribe');
  });

  it('refuses an invalid filter and completes subscriptions on close', async () => {
    const { connection } = open(broker.host, broker.port, false);
    await whenState(connection, 'connected');
    await expect(firstValueFrom(connection.messages('a/#/b', { qos: 0 }))).rejects.toThrow(
      /invalid MQTT topic filter/,
    );
    const done = firstValueFrom(connection.messages('a/b', { qos: 0 }).pipe(toArray()));
    await connection.close(1_000);
    await expect(done).resolves.toEqual([]);
  });
});

const NEXT_STATES: Record<ConnectionState, ConnectionState[]> = {
  connecting: ['connected', 'disconnected', 'closed'],
  connected: ['disconnected', 'closed'],
  disconnected: ['connecting', 'closed'],
  closed: [],
};
