import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { metricValue, waitForMetric } from '../support/relay-metrics-scrape.js';
import { RelayProcess, type RelayLogRecord } from '../support/relay-process.js';
import { exampleReloadTopic, reloadEventText } from '../support/cloud-reload-events.js';
import {
  EXAMPLE_APP_ID,
  EXAMPLE_RELOAD_ID,
  EXAMPLE_TENANT_ID,
  FakeQlikCloud,
} from '../support/fake-qlik-cloud.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { createQrsCertificates, type QrsCertificates } from '../support/qrs-certs.js';
import { TestSubscriber } from '../support/subscriber.js';
import { createTestCertificates, type TestCertificates } from '../support/tls.js';

const FAILED = 'qliksense/cloud/app_reload_failed';
const ALL = 'qliksense/cloud/app_reload';
const API_KEY = 'eyJhbGciOiJFUzM4NCJ9.relay-test-key.signature';
const GATEWAY = { username: 'cloud-gateway', password: 'gateway-secret' };
const RELAY = { username: 'sense-relay', password: 'relay-secret' };

type Section = Record<string, unknown>;

/**
 * The built relay process between a private TLS + password Mosquitto acting as the Qlik Cloud
 * forward broker (a gateway client publishes there), a separate plain main broker (a subscriber
 * listens there) and the fake Qlik Cloud REST API.
 */
describe('Qlik Cloud reload events through the relay process', () => {
  let brokerCerts: TestCertificates;
  let apiCerts: QrsCertificates;
  let cloudBroker: Mosquitto;
  let mainBroker: Mosquitto;
  let api: FakeQlikCloud;
  let subscriber: TestSubscriber;
  let gateway: MqttClient;

  beforeAll(async () => {
    brokerCerts = await createTestCertificates();
    apiCerts = createQrsCertificates();
    [cloudBroker, mainBroker, api] = await Promise.all([
      startMosquitto({
        tls: { certificates: brokerCerts },
        users: {
          [GATEWAY.username]: GATEWAY.password,
          [RELAY.username]: RELAY.password,
        },
      }),
      startMosquitto(),
      FakeQlikCloud.start({ certificates: apiCerts, apiKey: API_KEY }),
    ]);
    subscriber = await TestSubscriber.connect(mainBroker.url, ['qliksense/cloud/#']);
    gateway = await connectGateway();
  });
  afterAll(async () => {
    await gateway.endAsync(true);
    await subscriber.close();
    await Promise.all([cloudBroker.stop(), mainBroker.stop(), api.close()]);
    await brokerCerts.remove();
    apiCerts.remove();
  });

  function connectGateway(): Promise<MqttClient> {
    return mqtt.connectAsync(cloudBroker.url, {
      ...GATEWAY,
      ca: [readFileSync(brokerCerts.caFile)],
      reconnectPeriod: 100,
    });
  }

  function relayConfig(options: { enrich?: boolean; relay?: Section } = {}): Section {
    return {
      Butler: {
        mqttConfig: {
          enable: true,
          brokerHost: mainBroker.host,
          brokerPort: mainBroker.port,
          qlikSenseCloud: {
            event: {
              mqttForward: {
                enable: true,
                broker: { host: cloudBroker.host, port: cloudBroker.port, ...RELAY },
                topic: { subscriptionRoot: 'qscloud/#', appReload: 'qscloud/app/reload' },
              },
            },
          },
        },
        qlikSenseCloud: {
          enable: options.enrich ?? true,
          event: {
            mqtt: {
              tenant: {
                id: EXAMPLE_TENANT_ID,
                tenantUrl: api.tenantUrl,
                authType: 'jwt',
                auth: { jwt: { token: API_KEY } },
              },
            },
          },
        },
      },
      Relay: {
        log: { level: 'debug' }, // the subscription's `mqtt.subscribed` is a debug line
        http: { enable: true, port: 0 },
        mqtt: { reconnect: { initialDelayMs: 100, maxDelayMs: 500 } },
        cloudMqtt: {
          ca: brokerCerts.caFile,
          reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
        },
        ...options.relay,
        cloudEvents: {
          // Every look-up goes to the API, and a dead API costs one attempt.
          api: { ca: apiCerts.ca, cacheTtlMs: 0, attempts: 1, timeoutMs: 2000 },
          ...(options.relay?.cloudEvents as Section | undefined),
        },
      },
    };
  }

  /** The relay, once it serves /metrics and is subscribed on the forward broker. */
  async function startRelay(config: Section): Promise<{ relay: RelayProcess; httpPort: number }> {
    const relay = RelayProcess.start(config);
    try {
      const http = await relay.waitForLog('http.listening');
      await relay.waitForLog('mqtt.subscribed', onCloud);
      return { relay, httpPort: Number(http.port) };
    } catch (error) {
      await relay.kill();
      throw error;
    }
  }

  const onCloud = (record: RelayLogRecord): boolean => record.broker === 'cloud';

  async function forward(text: string | Buffer, topic = exampleReloadTopic()): Promise<void> {
    await gateway.publishAsync(topic, text, { qos: 1 });
  }

  async function messageFor(topic: string, eventId: string): Promise<Record<string, unknown>> {
    const message = await subscriber.waitForMessage(
      topic,
      (m) => (JSON.parse(m.payload) as { eventId?: string }).eventId === eventId,
      10_000,
    );
    return JSON.parse(message.payload) as Record<string, unknown>;
  }

  const countOn = (topic: string, eventId: string): number =>
    subscriber.payloads(topic).filter((p) => p.includes(`"eventId":"${eventId}"`)).length;

  describe('with enrichment, failed reloads only', () => {
    let relay: RelayProcess;
    let httpPort: number;

    beforeAll(async () => {
      ({ relay, httpPort } = await startRelay(relayConfig()));
    });
    afterEach(async () => {
      await api.restore();
      api.clearRecords();
    });
    afterAll(async () => {
      expect(await relay.stop()).toBe(0);
    });

    it('publishes a failed reload on failedTopic, enriched from the REST API; an ok one nowhere', async () => {
      await forward(reloadEventText({ eventId: 'ok-1', status: 'ok' }));
      await forward(reloadEventText({ eventId: 'failed-1' }));
      const payload = await messageFor(FAILED, 'failed-1');
      expect(payload).toEqual({
        eventId: 'failed-1',
        eventTime: '2024-10-14T11:31:39Z',
        tenantId: EXAMPLE_TENANT_ID,
        appId: EXAMPLE_APP_ID,
        appName: 'Sales Cloud Dashboard',
        reloadId: EXAMPLE_RELOAD_ID,
        status: 'error',
        failed: true,
        ownerId: '65a1f0c2e4b07d3a9c8e1f22',
        userId: '65a1f0c2e4b07d3a9c8e1f22',
        duration: 'PT4.8S',
        errors: [{ code: 'EngineReloadScriptError', message: 'error in app script or datasource' }],
        warnings: [],
        isPartialReload: false,
        endedWithMemoryConstraint: false,
        peakMemoryBytes: 73400320,
        sizeMemory: 52428800,
        appUrl: `${api.tenantUrl}/sense/app/${EXAMPLE_APP_ID}`,
        app: {
          id: EXAMPLE_APP_ID,
          name: 'Sales Cloud Dashboard',
          description: 'Daily sales for the regional managers',
          ownerId: '65a1f0c2e4b07d3a9c8e1f22',
          spaceId: '65a1f0c2e4b07d3a9c8e1f99',
          lastReloadTime: '2024-10-14T11:31:39.000Z',
          published: true,
        },
        reload: {
          id: EXAMPLE_RELOAD_ID,
          appId: EXAMPLE_APP_ID,
          type: 'chronos',
          status: 'FAILED',
          creationTime: '2024-10-14T11:31:33.912Z',
          startTime: '2024-10-14T11:31:34.650Z',
          endTime: '2024-10-14T11:31:39.470Z',
          errorCode: 'EngineReloadScriptError',
          errorMessage: 'error in app script or datasource',
        },
        scriptLogTail: [
          '20241014T113134.812+0000 Execution started.',
          '20241014T113135.101+0000 Qlik Sense Server Version 14.205.2',
          '20241014T113136.220+0000 0003  LOAD * FROM [lib://DataFiles/sales.qvd] (qvd)',
          '20241014T113139.455+0000 Error: Cannot open file: lib://DataFiles/sales.qvd',
          '20241014T113139.460+0000 Execution Failed',
        ],
        enrichment: { status: 'complete' },
      });
      expect(api.requests.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
      // The ok event came first on the same subscription, so it would have been out by now.
      expect(countOn(FAILED, 'ok-1') + countOn(ALL, 'ok-1')).toBe(0);
      expect(countOn(FAILED, 'failed-1')).toBe(1);
    });

    it('counts and logs malformed JSON, another event type and a foreign tenant, and relays the next one', async () => {
      await forward('{"eventType": "com.qlik.v1.app.reload.finished", ');
      await forward(reloadEventText({ eventType: 'com.qlik.v1.app.data.updated' }));
      await forward(reloadEventText({ tenantId: 'SomeOtherTenant0000000000000000' }));
      await forward(reloadEventText({ eventId: 'after-bad' }));
      await messageFor(FAILED, 'after-bad');
      const labels = { component: 'cloud:app-reload' };
      const metrics = await waitForMetric(
        httpPort,
        'relay_dropped_total',
        { ...labels, reason: 'foreign-tenant' },
        (v) => v === 1,
      );
      expect(metricValue(metrics, 'relay_dropped_total', { ...labels, reason: 'malformed' })).toBe(
        1,
      );
      expect(
        metricValue(metrics, 'relay_dropped_total', { ...labels, reason: 'unknown-type' }),
      ).toBe(1);
      const logged = relay.records('cloud-event.dropped').map((r) => r.reason);
      expect(logged).toEqual(
        expect.arrayContaining(['malformed', 'unknown-type', 'foreign-tenant']),
      );
    });

    it('still publishes when the REST API refuses connections, marked as not enriched and why', async () => {
      await api.refuseConnections();
      await forward(reloadEventText({ eventId: 'api-down' }));
      const payload = await messageFor(FAILED, 'api-down');
      expect(payload).toMatchObject({ eventId: 'api-down', appName: 'Sales Cloud Dashboard' });
      expect(payload).not.toHaveProperty('app');
      expect(payload).not.toHaveProperty('reload');
      expect(payload.enrichment).toEqual({
        status: 'failed',
        step: 'app',
        reason: expect.stringMatching(/^app lookup failed: .*ECONNREFUSED.*; reload lookup failed/),
      });
    });

    it('still publishes when the API key is refused (401)', async () => {
      api.fail('*', 401);
      await forward(reloadEventText({ eventId: 'api-401' }));
      const payload = await messageFor(FAILED, 'api-401');
      expect(payload.enrichment).toMatchObject({
        status: 'failed',
        step: 'app',
        reason: expect.stringContaining('HTTP 401 (check the API key)'),
      });
      expect(JSON.stringify(payload)).not.toContain(API_KEY);
    });
  });

  it('with publishAll: a successful reload arrives on allTopic, not on failedTopic', async () => {
    const { relay } = await startRelay(
      relayConfig({ enrich: false, relay: { cloudEvents: { publishAll: true } } }),
    );
    try {
      await forward(reloadEventText({ eventId: 'ok-all', status: 'ok' }));
      const payload = await messageFor(ALL, 'ok-all');
      expect(payload).toMatchObject({ status: 'ok', failed: false, enrichment: { status: 'off' } });
      expect(payload).not.toHaveProperty('app');
      await forward(reloadEventText({ eventId: 'failed-all' }));
      await messageFor(FAILED, 'failed-all');
      await messageFor(ALL, 'failed-all');
      expect(countOn(FAILED, 'ok-all')).toBe(0);
      expect(api.requests).toHaveLength(0); // Butler.qlikSenseCloud.enable is off
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });

  it('survives a forward broker that is down at start, and relays once it is up', async () => {
    await cloudBroker.stop();
    const relay = RelayProcess.start(relayConfig({ enrich: false }));
    try {
      await relay.waitForLog('mqtt.connected', (r) => r.broker === 'main');
      // A refused TLS connection, retried: logged, never fatal.
      await relay.waitForLog('mqtt.reconnecting', onCloud);
      await relay.waitForLog('mqtt.reconnecting', (r) => onCloud(r) && Number(r.attempt) >= 3);
      expect(relay.exitCode).toBeUndefined();

      await cloudBroker.start();
      await relay.waitForLog('mqtt.subscribed', onCloud);
      await gateway.endAsync(true);
      gateway = await connectGateway();
      await forward(reloadEventText({ eventId: 'after-outage' }));
      const payload = await messageFor(FAILED, 'after-outage');
      expect(payload.enrichment).toEqual({ status: 'off' });
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });
});
