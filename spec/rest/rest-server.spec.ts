import { createServer, type Server } from 'node:net';
import type { OutboundMessage, PublishOutcome } from '../../lib/events.js';
import { startRestServer, type RestServer } from '../../lib/http/rest-server.js';
import {
  mqttPublishMessageRoute,
  type BrokerState,
  type MqttPublishMessageOptions,
} from '../../lib/http/routes/mqtt-publish-message.js';
import { silentLogger } from '../../lib/log/logger.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import type { Acceptance } from '../../lib/sinks/mqtt-publisher.js';
import { droppedByReason, metricValue } from '../support/metrics.js';
import { publishUrl, restRequest } from './support/rest-client.js';

/** A sink whose every acceptance the test settles by hand. */
class ScriptedSink {
  readonly taken: OutboundMessage[] = [];
  readonly pending: { accept: (ok: boolean) => void; settle: (o: PublishOutcome) => void }[] = [];

  accept(message: OutboundMessage): Acceptance {
    this.taken.push(message);
    let accept: (ok: boolean) => void = () => undefined;
    let settle: (outcome: PublishOutcome) => void = () => undefined;
    const accepted = new Promise<boolean>((resolve) => (accept = resolve));
    const outcome = new Promise<PublishOutcome>((resolve) => (settle = resolve));
    this.pending.push({ accept, settle });
    return { accepted, outcome };
  }

  async next(): Promise<{ accept: (ok: boolean) => void; settle: (o: PublishOutcome) => void }> {
    while (this.pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    return this.pending.shift() as (typeof this.pending)[number];
  }
}

describe('the REST server with the publish route', () => {
  let server: RestServer | undefined;
  let metrics: RelayMetrics;
  let sink: ScriptedSink;
  let broker: BrokerState;

  async function start(
    route: Partial<MqttPublishMessageOptions> = {},
    rateLimit = { max: 0, timeWindowMs: 60_000 },
  ): Promise<string> {
    server = await startRestServer({
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 1024,
      rateLimit,
      routes: [
        mqttPublishMessageRoute({
          sink,
          brokerState: () => broker,
          confirm: 'stored',
          confirmTimeoutMs: 5_000,
          allowedTopics: [],
          log: silentLogger(),
          ...route,
        }),
      ],
      metrics,
      log: silentLogger(),
    });
    return publishUrl(server.port);
  }

  beforeEach(() => {
    metrics = new RelayMetrics();
    sink = new ScriptedSink();
    broker = 'connected';
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers 201 with the body echoed once the message is stored, and publishes exactly the message', async () => {
    const url = await start();
    const body = { topic: 'qliksense/apps/sales', message: 'dt=20250321 ✓', extra: [1] };
    const response = restRequest(url, { body });
    (await sink.next()).accept(true);
    const answer = await response;
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['x-relay-confirmed']).toBe('stored');
    expect(answer.json).toEqual(body);
    expect(sink.taken).toEqual([
      expect.objectContaining({ topic: body.topic, payload: body.message, retain: false }),
    ]);
    expect(sink.taken[0]?.qos).toBeUndefined(); // Relay.publish.qos applies
    expect(
      await metricValue(metrics, 'relay_rest_requests_total', {
        route: '/v4/mqttpublishmessage',
        status: '201',
      }),
    ).toBe(1);
  });

  it('takes POST with X-HTTP-Method-Override: PUT, and refuses a bare POST with 405', async () => {
    const url = await start();
    const body = { topic: 'a/b', message: 'from a load script' };
    const overridden = restRequest(url, {
      method: 'POST',
      body,
      headers: { 'X-HTTP-Method-Override': 'PUT' },
    });
    (await sink.next()).accept(true);
    expect((await overridden).status).toBe(201);

    const bare = await restRequest(url, { method: 'POST', body });
    expect(bare.status).toBe(405);
    expect(bare.headers.allow).toBe('PUT, POST');
    expect(sink.taken).toHaveLength(1);
  });

  it.each([
    ['missing topic', '{"message":"m"}', "body must have required property 'topic'"],
    ['missing message', '{"topic":"a"}', "body must have required property 'message'"],
    ['a number as topic', '{"topic":42,"message":"m"}', 'body/topic must be string'],
    ['a number as message', '{"topic":"a","message":42}', 'body/message must be string'],
    ['null as message', '{"topic":"a","message":null}', 'body/message must be string'],
    ['an empty topic', '{"topic":"","message":"m"}', 'body/topic must NOT have fewer'],
    ['a + wildcard', '{"topic":"a/+/c","message":"m"}', 'format "mqtt-topic-name"'],
    ['a # wildcard', '{"topic":"a/#","message":"m"}', 'format "mqtt-topic-name"'],
    ['a $ topic', '{"topic":"$SYS/x","message":"m"}', 'format "mqtt-topic-name"'],
    ['a control character', '{"topic":"a\\u0007b","message":"m"}', 'format "mqtt-topic-name"'],
    ['a NUL in the topic', '{"topic":"a\\u0000","message":"m"}', 'format "mqtt-topic-name"'],
    ['a lone surrogate', '{"topic":"a","message":"\\ud800"}', 'format "utf8-text"'],
    ['an array', '[]', 'body must be object'],
    ['bad JSON', '{"topic":"a",', 'not valid JSON'],
    ['an empty body', '', 'cannot be empty'],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'not valid UTF-8'],
  ])('answers 400 for %s, and counts it', async (_case, body, message) => {
    const url = await start();
    const answer = await restRequest(url, { body });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      reason: 'malformed',
    });
    expect(String(answer.json?.message)).toContain(message);
    expect(sink.taken).toEqual([]);
    expect(await droppedByReason(metrics, 'rest')).toEqual({ malformed: 1 });
  });

  it('answers 400 with Butler’s validation body for a missing field', async () => {
    const url = await start();
    const answer = await restRequest(url, { body: { topic: 'a' } });
    expect(answer.json).toEqual({
      statusCode: 400,
      code: 'FST_ERR_VALIDATION',
      error: 'Bad Request',
      message: "body must have required property 'message'",
      reason: 'malformed',
    });
  });

  it('answers 403 for a topic outside the allow-list, and 201 inside it', async () => {
    const url = await start({ allowedTopics: ['qliksense/apps/#', 'exact/topic'] });
    const outside = await restRequest(url, { body: { topic: 'qliksense/other', message: 'm' } });
    expect(outside.status).toBe(403);
    expect(outside.json).toMatchObject({ reason: 'topic-not-allowed' });

    const inside = restRequest(url, { body: { topic: 'qliksense/apps/x/y', message: 'm' } });
    (await sink.next()).accept(true);
    expect((await inside).status).toBe(201);
    expect(await droppedByReason(metrics, 'rest')).toEqual({ 'topic-not-allowed': 1 });
  });

  it('refuses to start on an allow-list entry that is no topic filter', async () => {
    await expect(start({ allowedTopics: ['a/#/b'] })).rejects.toThrow(
      'Relay.rest.allowedTopics: "a/#/b" is not a valid MQTT topic filter',
    );
  });

  it('answers 413 for a body over the limit', async () => {
    const url = await start();
    const answer = await restRequest(url, { body: { topic: 'a', message: 'x'.repeat(2048) } });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ reason: 'too-large' });
    expect(await droppedByReason(metrics, 'rest')).toEqual({ 'too-large': 1 });
  });

  it('answers 429 past the rate limit per client address', async () => {
    const url = await start({}, { max: 2, timeWindowMs: 60_000 });
    for (let i = 0; i < 2; i += 1) {
      const answer = restRequest(url, { body: { topic: 'a', message: String(i) } });
      (await sink.next()).accept(true);
      expect((await answer).status).toBe(201);
    }
    const limited = await restRequest(url, { body: { topic: 'a', message: 'too many' } });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json).toMatchObject({ reason: 'rate-limit' });
    expect(sink.taken).toHaveLength(2);
    expect(await droppedByReason(metrics, 'rest')).toEqual({ 'rate-limit': 1 });
  });

  it('answers 503 with the reason the sink gives, counted by the sink rather than again', async () => {
    const url = await start();
    const answer = restRequest(url, { body: { topic: 'a', message: 'm' } });
    const taken = await sink.next();
    taken.accept(false);
    taken.settle({ status: 'dropped', reason: 'shutdown' });
    expect((await answer).status).toBe(503);
    expect((await answer).json).toMatchObject({ reason: 'shutdown' });
    expect(await droppedByReason(metrics, 'rest')).toEqual({});
  });

  it('answers 413 when the publisher finds the message larger than its queue', async () => {
    const url = await start();
    const answer = restRequest(url, { body: { topic: 'a', message: 'm' } });
    const taken = await sink.next();
    taken.accept(false);
    taken.settle({ status: 'dropped', reason: 'too-large' });
    expect((await answer).status).toBe(413);
  });

  it('answers 503 at once when MQTT is disabled', async () => {
    broker = 'disabled';
    const url = await start();
    const answer = await restRequest(url, { body: { topic: 'a', message: 'm' } });
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ reason: 'rejected' });
    expect(sink.taken).toEqual([]);
    expect(await droppedByReason(metrics, 'rest')).toEqual({ rejected: 1 });
  });

  describe('confirming delivery (the memory outbox)', () => {
    it('answers 201 only once the broker acknowledged the message', async () => {
      // That being stored is not enough shows in the time-out case below.
      const url = await start({ confirm: 'delivered' });
      const answer = restRequest(url, { body: { topic: 'a', message: 'm' } });
      const taken = await sink.next();
      taken.accept(true);
      taken.settle({ status: 'delivered', latencyMs: 1 });
      expect((await answer).status).toBe(201);
      expect((await answer).headers['x-relay-confirmed']).toBe('delivered');
    });

    it('answers 503 at once while the broker is not connected, without taking the message', async () => {
      broker = 'disconnected';
      const url = await start({ confirm: 'delivered' });
      const answer = await restRequest(url, { body: { topic: 'a', message: 'm' } });
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ reason: 'not-connected' });
      expect(sink.taken).toEqual([]);
      expect(await droppedByReason(metrics, 'rest')).toEqual({ 'not-connected': 1 });
    });

    it('answers 503 with the drop reason when the publisher dropped it', async () => {
      const url = await start({ confirm: 'delivered' });
      const answer = restRequest(url, { body: { topic: 'a', message: 'm' } });
      const taken = await sink.next();
      taken.accept(true);
      taken.settle({ status: 'dropped', reason: 'rejected' });
      expect((await answer).status).toBe(503);
      expect((await answer).json).toMatchObject({ reason: 'rejected' });
    });

    it('answers 503 timeout when stored but not acknowledged in time, without counting a drop', async () => {
      const url = await start({ confirm: 'delivered', confirmTimeoutMs: 100 });
      const answer = restRequest(url, { body: { topic: 'a', message: 'm' } });
      (await sink.next()).accept(true);
      expect((await answer).status).toBe(503);
      expect((await answer).json).toMatchObject({ reason: 'timeout' });
      expect(await droppedByReason(metrics, 'rest')).toEqual({});
      expect(await metricValue(metrics, 'relay_rest_requests_total', { status: '503' })).toBe(1);
    });
  });

  it('fails to start with a clear message when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(
        startRestServer({
          host: '127.0.0.1',
          port,
          bodyLimitBytes: 1024,
          rateLimit: { max: 0, timeWindowMs: 1000 },
          routes: [],
          metrics,
          log: silentLogger(),
        }),
      ).rejects.toThrow(`the REST API cannot listen on 127.0.0.1:${port}: the address is in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
