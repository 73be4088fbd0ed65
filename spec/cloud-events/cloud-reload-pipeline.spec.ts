import fc from 'fast-check';
import { filter, Subject, type Observable } from 'rxjs';
import { loadConfig, type RelayConfig } from '../../lib/config/index.js';
import type { OutboundMessage, PublishOutcome, QoS } from '../../lib/events.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { topicMatchesFilter } from '../../lib/mqtt/topics.js';
import { builtinCatalog } from '../../lib/pipeline/catalog.js';
import { compileYamlPipelines } from '../../lib/pipeline/compile-yaml-pipelines.js';
import type {
  IncomingMqttMessage,
  MessageSink,
  PipelineContext,
  SubscribableBroker,
} from '../../lib/pipeline/pipeline.js';
import type { Pipeline } from '../../lib/pipeline/pipeline.js';
import { runPipeline, type RunningPipeline } from '../../lib/pipeline/run-pipeline.js';
import { SourceHub } from '../../lib/pipeline/source-hub.js';
import { parseAppReload } from '../../lib/qlik-cloud/parse-app-reload.js';
import { cloudReloadEventsPipeline } from '../../pipelines/cloud-reload-events.js';
import { exampleReloadTopic, reloadEventText } from '../support/cloud-reload-events.js';
import { EXAMPLE_TENANT_ID } from '../support/fake-qlik-cloud.js';
import { captureLog, type LogCapture } from '../support/log-capture.js';
import { droppedByReason } from '../support/metrics.js';
import { unreachableRepository } from '../support/pipeline-context.js';

const FAILED = 'qliksense/cloud/app_reload_failed';
const ALL = 'qliksense/cloud/app_reload';
const COMPONENT = 'cloud:app-reload';

/** The forward broker as the source sees it: what the test publishes, on matching filters. */
class FakeForwardBroker implements SubscribableBroker {
  private readonly incoming = new Subject<IncomingMqttMessage>();

  messages(topicFilter: string, _options: { qos: QoS }): Observable<IncomingMqttMessage> {
    return this.incoming.pipe(filter((m) => topicMatchesFilter(m.topic, topicFilter)));
  }

  publish(topic: string, payload: string | Buffer): void {
    this.incoming.next({ topic, payload: Buffer.from(payload), retain: false, qos: 1 });
  }
}

class RecordingSink implements MessageSink {
  readonly messages: OutboundMessage[] = [];
  publish(message: OutboundMessage): Promise<PublishOutcome> {
    this.messages.push(message);
    return Promise.resolve({ status: 'delivered', latencyMs: 0 });
  }
  on(topic: string): OutboundMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }
}

interface Harness {
  broker: FakeForwardBroker;
  sink: RecordingSink;
  metrics: RelayMetrics;
  logs: LogCapture;
  running: RunningPipeline;
  stopping: Subject<void>;
}

function cloudConfig(overrides: Record<string, unknown> = {}): RelayConfig {
  return loadConfig({
    env: {},
    overrides: {
      'Butler.mqttConfig.enable': true,
      'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.enable': true,
      'Butler.qlikSenseCloud.event.mqtt.tenant.id': EXAMPLE_TENANT_ID,
      ...overrides,
    },
  }).config;
}

/** A pipeline (default: the built-in one) on its registered source, in process, without REST. */
function start(
  config: RelayConfig,
  pipeline: Pipeline = cloudReloadEventsPipeline(config),
): Harness {
  const broker = new FakeForwardBroker();
  const sink = new RecordingSink();
  const metrics = new RelayMetrics();
  const logs = captureLog();
  const stopping = new Subject<void>();
  const hub = new SourceHub(builtinCatalog());
  const context: PipelineContext = {
    config,
    log: logs.log,
    metrics,
    repository: unreachableRepository,
    brokers: new Map([['cloud', broker]]),
    stopping$: stopping.asObservable(),
    source: (spec) => hub.get(spec, context),
  };
  const running = runPipeline(pipeline, context, sink);
  return { broker, sink, metrics, logs, running, stopping };
}

describe('the cloud-reload-events pipeline on its qlik-cloud-app-reload source', () => {
  let harness: Harness | undefined;
  afterEach(() => {
    harness?.running.stop();
    harness = undefined;
  });

  it('publishes a failed reload as compact JSON on failedTopic and ignores a successful one', () => {
    harness = start(cloudConfig());
    const { broker, sink } = harness;
    broker.publish(exampleReloadTopic(), reloadEventText({ eventId: 'ok-1', status: 'ok' }));
    broker.publish(exampleReloadTopic(), reloadEventText({ eventId: 'err-1' }));
    expect(sink.messages.map((m) => [m.topic, m.broker, m.eventId])).toEqual([
      [FAILED, 'main', 'err-1'],
    ]);
    const payload = sink.messages[0]?.payload as string;
    expect(payload).not.toMatch(/\n| {2}/); // compact, though it arrived indented
    expect(JSON.parse(payload)).toMatchObject({
      eventId: 'err-1',
      status: 'error',
      failed: true,
      appName: 'Sales Cloud Dashboard',
      enrichment: { status: 'off' },
    });
  });

  it('with publishAll: every reload on allTopic, the failed ones on failedTopic too', () => {
    harness = start(cloudConfig({ 'Relay.cloudEvents.publishAll': true }));
    const { broker, sink } = harness;
    broker.publish(exampleReloadTopic(), reloadEventText({ eventId: 'ok-1', status: 'ok' }));
    broker.publish(exampleReloadTopic(), reloadEventText({ eventId: 'err-1' }));
    expect(sink.messages.map((m) => [m.topic, m.eventId])).toEqual([
      [ALL, 'ok-1'],
      [FAILED, 'err-1'],
      [ALL, 'err-1'],
    ]);
  });

  it('drops and counts a second copy of one event', async () => {
    harness = start(cloudConfig());
    const { broker, sink, metrics } = harness;
    broker.publish(exampleReloadTopic(), reloadEventText({ eventId: 'twice' }));
    broker.publish(exampleReloadTopic(), reloadEventText({ eventId: 'twice' }));
    expect(sink.on(FAILED)).toHaveLength(1);
    expect(await droppedByReason(metrics, COMPONENT)).toEqual({ duplicate: 1 });
  });

  it('is a source YAML pipelines can name, with its typed data in templates', () => {
    const config = cloudConfig();
    const [pipeline] = compileYamlPipelines(
      [
        {
          name: 'cloud-reload-names',
          source: { type: 'qlik-cloud-app-reload' },
          routes: [{ topic: 'cloud/{{data.status}}/{{data.appId}}', payload: '{{data.appName}}' }],
        },
      ],
      builtinCatalog(),
    );
    harness = start(config, pipeline);
    harness.broker.publish(exampleReloadTopic(), reloadEventText({ status: 'ok' }));
    harness.broker.publish(exampleReloadTopic('x'), reloadEventText({ tenantId: 'x' }));
    expect(harness.sink.messages.map((m) => [m.topic, m.payload])).toEqual([
      ['cloud/ok/4c3a1e2b-7d6f-4a8b-9c0d-1e2f3a4b5c6d', 'Sales Cloud Dashboard'],
    ]);
  });

  it('refuses to start without a tenant id, naming the key', () => {
    expect(() => start(cloudConfig({ 'Butler.qlikSenseCloud.event.mqtt.tenant.id': '' }))).toThrow(
      /Butler\.qlikSenseCloud\.event\.mqtt\.tenant\.id/,
    );
  });

  it('counts and logs whatever else arrives, and relays the next good event (fast-check)', async () => {
    harness = start(cloudConfig());
    const { broker, sink, metrics, logs } = harness;
    const rules = { topicPrefix: 'qscloud/app/reload', tenantId: EXAMPLE_TENANT_ID };
    const topics = fc.constantFrom(
      exampleReloadTopic(),
      exampleReloadTopic('another-tenant'),
      'qscloud/app/created',
      'qscloud/app/reloaded',
    );
    const payloads = fc.oneof(
      fc.string(),
      fc.json(),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc
        .record({
          eventType: fc.constantFrom('com.qlik.v1.app.reload.finished', 'com.qlik.v1.app.deleted'),
          tenantId: fc.constantFrom(EXAMPLE_TENANT_ID, 'another-tenant'),
          reloadId: fc.constantFrom('', 'r-1'),
        })
        .map((overrides) => reloadEventText({ ...overrides, status: 'ok' })),
    );
    let expectedDrops = 0;
    let good = 0;
    await fc.assert(
      fc.asyncProperty(topics, payloads, async (topic, payload) => {
        const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
        if (!parseAppReload(topic, text, rules).ok) expectedDrops += 1;
        broker.publish(topic, payload);
        good += 1;
        broker.publish(exampleReloadTopic(), reloadEventText({ eventId: `good-${good}` }));
        expect(sink.on(FAILED).at(-1)?.eventId).toBe(`good-${good}`);
        const drops = await droppedByReason(metrics, COMPONENT);
        expect(Object.values(drops).reduce((sum, n) => sum + n, 0)).toBe(expectedDrops);
      }),
      { numRuns: 300 },
    );
    expect(sink.on(FAILED)).toHaveLength(good);
    expect(expectedDrops).toBeGreaterThan(0);
    harness.stopping.next(); // the source ends and writes what the throttle still held
    const warned = logs.events('cloud-event.dropped');
    expect(warned.length).toBeGreaterThan(0);
    expect(warned.every((r) => r.component === COMPONENT)).toBe(true);
    const loggedTotal = warned.reduce((sum, r) => sum + Number(r.dropped), 0);
    expect(loggedTotal).toBe(expectedDrops);
  });
});
