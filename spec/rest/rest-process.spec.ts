import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { freePort } from '../support/free-port.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { RelayProcess, temporaryOutboxDirectory } from '../support/relay-process.js';
import { metricValue, scrapeMetrics, waitForMetric } from '../support/relay-metrics-scrape.js';
import { TestSubscriber } from '../support/subscriber.js';
import { createTestCertificates, type TestCertificates } from '../support/tls.js';
import { restRequest } from './support/rest-client.js';
import { restRelayConfig, startRestRelay, type RestRelay } from './support/rest-relay.js';

const TOPIC = 'rest-test/apps/sales';

describe('PUT /v4/mqttpublishmessage in the relay process', () => {
  let broker: Mosquitto;
  let subscriber: TestSubscriber;
  let relay: RestRelay | undefined;

  beforeAll(async () => {
    broker = await startMosquitto();
    subscriber = await TestSubscriber.connect(broker.url, ['rest-test/#']);
  });
  beforeEach(() => subscriber.clear());
  afterEach(async () => {
    await relay?.process.kill();
    relay = undefined;
  });
  afterAll(async () => {
    await subscriber.close();
    await broker.stop();
  });

  it('publishes exactly the message, from PUT and from POST with the method override', async () => {
    relay = await startRestRelay(broker);
    const put = await restRequest(relay.url, {
      body: { topic: TOPIC, message: 'reload started ✓ "quoted" {json}' },
    });
    expect(put.status).toBe(201);
    expect(put.json).toEqual({ topic: TOPIC, message: 'reload started ✓ "quoted" {json}' });
    const posted = await restRequest(relay.url, {
      method: 'POST',
      body: { topic: TOPIC, message: 'reload done' },
      headers: { 'X-HTTP-Method-Override': 'PUT' },
    });
    expect(posted.status).toBe(201);

    const received = await subscriber.waitFor(TOPIC, 2);
    expect(received.map(({ payload, retain, qos }) => ({ payload, retain, qos }))).toEqual([
      { payload: 'reload started ✓ "quoted" {json}', retain: false, qos: 1 },
      { payload: 'reload done', retain: false, qos: 1 },
    ]);
    expect(await relay.process.stop()).toBe(0);
  });

  it('answers 400 for each bad field, counts each, and publishes none of them', async () => {
    relay = await startRestRelay(broker);
    const bad = [
      '{"message":"missing topic"}',
      '{"topic":"rest-test/a"}',
      '{"topic":"rest-test/a","message":7}',
      '{"topic":"rest-test/#","message":"wildcard"}',
      '{"topic":"","message":"empty topic"}',
      '{"topic":"rest-test/a","message":',
    ];
    for (const body of bad) {
      const answer = await restRequest(relay.url, { body });
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    }
    // Messages on one topic keep their order: had a bad one been published, it would come first.
    expect(
      (await restRequest(relay.url, { body: { topic: 'rest-test/a', message: 'ok' } })).status,
    ).toBe(201);
    await subscriber.waitFor('rest-test/a', 1);
    expect(subscriber.payloads('rest-test/a')).toEqual(['ok']);

    const metrics = await scrapeMetrics(relay.httpPort);
    expect(
      metricValue(metrics, 'relay_dropped_total', { component: 'rest', reason: 'malformed' }),
    ).toBe(6);
    expect(metricValue(metrics, 'relay_rest_requests_total', { status: '400' })).toBe(6);
    expect(relay.process.records('rest.refused').length).toBeGreaterThan(0);
  });

  it('answers 403 outside the allow-list, 413 over the body limit and 429 past the rate limit', async () => {
    relay = await startRestRelay(broker, {
      rest: {
        allowedTopics: ['rest-test/apps/#'],
        bodyLimitBytes: 1024,
        rateLimit: { max: 4, timeWindowMs: 600_000 },
      },
    });
    const forbidden = await restRequest(relay.url, {
      body: { topic: 'rest-test/other', message: 'm' },
    });
    expect(forbidden.status).toBe(403);
    const large = await restRequest(relay.url, {
      body: { topic: TOPIC, message: 'x'.repeat(2000) },
    });
    expect(large.status).toBe(413);
    expect((await restRequest(relay.url, { body: { topic: TOPIC, message: 'fits' } })).status).toBe(
      201,
    );
    expect(
      (await restRequest(relay.url, { body: { topic: TOPIC, message: 'fits too' } })).status,
    ).toBe(201);
    const limited = await restRequest(relay.url, {
      body: { topic: TOPIC, message: 'one too many' },
    });
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ statusCode: 429, reason: 'rate-limit' });

    await subscriber.waitFor(TOPIC, 2);
    expect(subscriber.payloads(TOPIC)).toEqual(['fits', 'fits too']);
    expect(subscriber.payloads('rest-test/other')).toEqual([]);
    const metrics = await scrapeMetrics(relay.httpPort);
    for (const reason of ['topic-not-allowed', 'too-large', 'rate-limit']) {
      expect({
        reason,
        count: metricValue(metrics, 'relay_dropped_total', { component: 'rest', reason }),
      }).toEqual({ reason, count: 1 });
    }
  });

  it('serves HTTPS with the configured certificate', async () => {
    const certificates: TestCertificates = await createTestCertificates();
    try {
      relay = await startRestRelay(broker, {
        restServerConfig: {
          tls: {
            enable: true,
            cert: certificates.serverCertFile,
            key: certificates.serverKeyFile,
            ca: certificates.caFile,
          },
        },
      });
      expect(relay.url.startsWith('https://')).toBe(true);
      const answer = await restRequest(relay.url, {
        body: { topic: TOPIC, message: 'over TLS' },
        ca: await readFile(certificates.caFile),
      });
      expect(answer.status).toBe(201);
      await subscriber.waitForMessage(TOPIC, (m) => m.payload === 'over TLS');
      // A client that does not trust the CA gets no answer at all.
      await expect(
        restRequest(relay.url, { body: { topic: TOPIC, message: 'x' } }),
      ).rejects.toThrow();
    } finally {
      await certificates.remove();
    }
  });

  it('exits 1 with a clear message when the REST port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const process = RelayProcess.start(
        restRelayConfig(broker, { restServerConfig: { serverPort: port } }),
      );
      expect(await process.wait()).toBe(1);
      const failed = process.records('relay.start-failed')[0];
      expect(failed?.msg).toContain(
        `the REST API cannot listen on 127.0.0.1:${port}: the address is in use`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('offers nothing unless Butler.restServerEndpointsEnable.mqttPublishMessage is on', async () => {
    const port = await freePort();
    const config = restRelayConfig(broker, { restServerConfig: { serverPort: port } }) as {
      Butler: { restServerEndpointsEnable: { mqttPublishMessage: boolean } };
    };
    config.Butler.restServerEndpointsEnable.mqttPublishMessage = false;
    const process = RelayProcess.start(config);
    try {
      await process.waitForLog('relay.started');
      expect(process.records('rest.listening')).toEqual([]);
      await expect(
        restRequest(`http://127.0.0.1:${port}/v4/mqttpublishmessage`, { body: {} }),
      ).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await process.kill();
    }
  });
});

describe('the REST endpoint while the broker is away', () => {
  let broker: Mosquitto;
  let subscriber: TestSubscriber;
  const relays: RelayProcess[] = [];

  beforeEach(async () => {
    // A persistent session: what the relay sends right after the broker returns still arrives.
    broker = await startMosquitto({ persistence: true });
    subscriber = await TestSubscriber.connect(broker.url, ['rest-test/#'], {
      clientId: `rest-outage-${Date.now()}`,
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    });
  });
  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.kill();
    await subscriber.close();
    await broker.stop();
  });

  it('with the disk outbox, answers 201 and loses nothing it answered 201 for, even across a kill -9', async () => {
    const outbox = temporaryOutboxDirectory();
    const env = { RELAY_OUTBOX_DIRECTORY: outbox };
    const first = await startRestRelay(broker, { env });
    relays.push(first.process);
    await broker.stop();
    await first.process.waitForLog('mqtt.disconnected');

    const messages = Array.from({ length: 20 }, (_, i) => `during the outage ${i}`);
    for (const message of messages) {
      const answer = await restRequest(first.url, { body: { topic: TOPIC, message } });
      expect({
        message,
        status: answer.status,
        confirmed: answer.headers['x-relay-confirmed'],
      }).toEqual({
        message,
        status: 201,
        confirmed: 'stored',
      });
    }
    await first.process.kill(); // no shutdown: only the outbox on disk keeps them

    await broker.start();
    const second = await startRestRelay(broker, { env });
    relays.push(second.process);
    const received = await subscriber.waitFor(TOPIC, messages.length, 15_000);
    expect(received.map((m) => m.payload)).toEqual(messages);
  });

  it('with the memory outbox, answers 503 while the broker is down and publishes nothing of it', async () => {
    const relay = await startRestRelay(broker, { relay: { outbox: { store: 'memory' } } });
    relays.push(relay.process);
    await broker.stop();
    await relay.process.waitForLog('mqtt.disconnected');

    const refused = await restRequest(relay.url, { body: { topic: TOPIC, message: 'refused' } });
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ statusCode: 503, reason: 'not-connected' });

    await broker.start();
    await waitForMetric(
      relay.httpPort,
      'relay_broker_connected',
      { broker: 'main' },
      (v) => v === 1,
    );
    const accepted = await restRequest(relay.url, { body: { topic: TOPIC, message: 'after' } });
    expect(accepted.status).toBe(201);
    expect(accepted.headers['x-relay-confirmed']).toBe('delivered');
    // Same topic, kept in order: a queued "refused" would have arrived before "after".
    await subscriber.waitFor(TOPIC, 1);
    expect(subscriber.payloads(TOPIC)).toEqual(['after']);
    const metrics = await scrapeMetrics(relay.httpPort);
    expect(
      metricValue(metrics, 'relay_dropped_total', { component: 'rest', reason: 'not-connected' }),
    ).toBe(1);
  });
});
