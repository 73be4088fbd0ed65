import fc from 'fast-check';
import { FAULT_SEED, faultSetting } from '../faults/support/fault-settings.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { metricSamples, scrapeMetrics } from '../support/relay-metrics-scrape.js';
import { TestSubscriber } from '../support/subscriber.js';
import { waitUntil } from '../support/wait-until.js';
import { restRequest } from './support/rest-client.js';
import { startRestRelay, type RestRelay } from './support/rest-relay.js';

const RUNS = faultSetting('FAULT_REST_RUNS', 30, 200);
const FUZZ = { seed: FAULT_SEED, endOnFailure: true, numRuns: RUNS } as const;
const PREFIX = 'rest-fuzz';
const BODY_LIMIT = 4096;

/** One request body, and whether a correct endpoint must take it. */
interface Probe {
  readonly body: string | Buffer;
  /** Well-formed by construction (plain topic, any text): must be answered 201. */
  readonly mustPublish: boolean;
}

const plainLevel = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
const anyText = fc.string({ unit: 'grapheme', maxLength: 200 });
const anyValue = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat()),
  anyText,
);

const probe: fc.Arbitrary<Probe> = fc.oneof(
  // Well-formed: a plain topic under the allowed prefix, any text, maybe extra properties.
  fc
    .record({
      levels: fc.array(plainLevel, { minLength: 1, maxLength: 4 }),
      message: anyText,
      extra: fc.dictionary(plainLevel, anyValue, { maxKeys: 2 }),
    })
    .map(({ levels, message, extra }) => ({
      body: JSON.stringify({ ...extra, topic: [PREFIX, ...levels].join('/'), message }),
      mustPublish: true,
    })),
  // Any topic text at all under the prefix: taken or refused, never anything in between.
  fc
    .record({ suffix: fc.string({ unit: 'binary', maxLength: 40 }), message: anyText })
    .map(({ suffix, message }) => ({
      body: JSON.stringify({ topic: `${PREFIX}/${suffix}`, message }),
      mustPublish: false,
    })),
  // Well-formed but outside the allow-list.
  fc.array(plainLevel, { minLength: 1, maxLength: 3 }).map((levels) => ({
    body: JSON.stringify({ topic: levels.join('/'), message: 'outside' }),
    mustPublish: false,
  })),
  // Wrong types, missing fields, topics outside the allow-list.
  fc
    .record({
      topic: fc.option(anyValue, { nil: undefined }),
      message: fc.option(anyValue, { nil: undefined }),
    })
    .map((fields) => ({
      body: JSON.stringify(fields),
      mustPublish: false,
    })),
  // Not an object, not JSON, not UTF-8, or too large.
  fc.jsonValue().map((value) => ({ body: JSON.stringify(value) ?? 'null', mustPublish: false })),
  fc.string({ maxLength: 80 }).map((text) => ({ body: text, mustPublish: false })),
  fc
    .uint8Array({ maxLength: 80 })
    .map((bytes) => ({ body: Buffer.from(bytes), mustPublish: false })),
  fc.integer({ min: BODY_LIMIT, max: BODY_LIMIT * 2 }).map((size) => ({
    body: JSON.stringify({ topic: `${PREFIX}/large`, message: 'x'.repeat(size) }),
    mustPublish: false,
  })),
);

describe('fuzzed request bodies through the relay process', () => {
  let broker: Mosquitto;
  let subscriber: TestSubscriber;
  let relay: RestRelay;

  beforeAll(async () => {
    broker = await startMosquitto();
    subscriber = await TestSubscriber.connect(broker.url, [`${PREFIX}/#`]);
    relay = await startRestRelay(broker, {
      rest: { allowedTopics: [`${PREFIX}/#`], bodyLimitBytes: BODY_LIMIT, rateLimit: { max: 0 } },
    });
  });
  afterAll(async () => {
    await relay?.process.kill();
    await subscriber?.close();
    await broker?.stop();
  });

  it('publishes every 2xx message exactly, counts every refusal, and stays up', async () => {
    /** What each 201 promised, by topic, in the order answered. */
    const promised = new Map<string, string[]>();
    const statuses = new Map<number, number>();
    let refused = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(probe, { minLength: 1, maxLength: 8 }), async (probes) => {
        for (const { body, mustPublish } of probes) {
          const answer = await restRequest(relay.url, { body });
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (mustPublish) expect({ body, status: answer.status }).toEqual({ body, status: 201 });
          if (answer.status >= 200 && answer.status < 300) {
            expect(answer.status).toBe(201);
            const sent = JSON.parse(body.toString()) as { topic: string; message: string };
            expect(answer.json).toEqual(sent);
            promised.set(sent.topic, [...(promised.get(sent.topic) ?? []), sent.message]);
          } else {
            expect([400, 403, 413]).toContain(answer.status);
            refused += 1;
          }
        }
      }),
      FUZZ,
    );

    // Every promise kept, in order per topic, and nothing else arrived.
    const count = (topics: Iterable<string[]>): number =>
      [...topics].reduce((sum, list) => sum + list.length, 0);
    const expected = count(promised.values());
    const received = (): number =>
      [...promised.keys()].reduce((sum, topic) => sum + subscriber.messages(topic).length, 0);
    await waitUntil(() => received() >= expected, `${expected} published messages`, 20_000);
    for (const [topic, messages] of promised) {
      expect({ topic, payloads: subscriber.payloads(topic) }).toEqual({
        topic,
        payloads: messages,
      });
    }

    // Every answer counted by status, every refusal counted as a drop of the REST component.
    const metrics = await scrapeMetrics(relay.httpPort);
    const counted = new Map<number, number>();
    for (const { labels, value } of metricSamples(metrics, 'relay_rest_requests_total')) {
      counted.set(Number(labels.status), (counted.get(Number(labels.status)) ?? 0) + value);
    }
    expect(Object.fromEntries(counted)).toEqual(Object.fromEntries(statuses));
    const drops = metricSamples(metrics, 'relay_dropped_total')
      .filter((sample) => sample.labels.component === 'rest')
      .reduce((sum, sample) => sum + sample.value, 0);
    expect(drops).toBe(refused);
    const requests = [...statuses.values()].reduce((sum, n) => sum + n, 0);
    console.log(
      `[rest fuzz] seed ${FAULT_SEED} · requests ${requests} · answers ${JSON.stringify(Object.fromEntries(statuses))}` +
        ` · published ${expected} · refused ${refused}`,
    );

    expect(relay.process.exitCode).toBeUndefined();
    const health = await fetch(`http://127.0.0.1:${relay.httpPort}/healthz`);
    expect(health.status).toBe(200);
  });
});
