import { readFileSync } from 'node:fs';
import { loadConfig } from '../../lib/config/index.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { openBrokers, type Brokers } from '../../lib/mqtt/open-brokers.js';
import { captureLog } from '../support/log-capture.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { TestSubscriber } from '../support/subscriber.js';
import { createTestCertificates, type TestCertificates } from '../support/tls.js';
import { waitUntil } from '../support/wait-until.js';

/** The connections a config asks for, opened as the relay opens them, against real brokers. */
describe('openBrokers', () => {
  let certs: TestCertificates;
  let mutualTls: Mosquitto;
  let cloud: Mosquitto;
  let brokers: Brokers | undefined;

  beforeAll(async () => {
    certs = await createTestCertificates();
    mutualTls = await startMosquitto({
      tls: { certificates: certs, requireClientCertificate: true },
    });
    cloud = await startMosquitto({ tls: { certificates: certs }, users: { cloudrelay: 's3cret' } });
  });
  afterEach(async () => {
    await brokers?.close(1000);
    brokers = undefined;
  });
  afterAll(async () => {
    await Promise.all([mutualTls.stop(), cloud.stop()]);
    await certs.remove();
  });

  function subscriberFor(broker: Mosquitto, filter: string): Promise<TestSubscriber> {
    return TestSubscriber.connect(broker.url, [filter], {
      ca: [readFileSync(certs.caFile)],
      cert: readFileSync(certs.clientCertFile),
      key: readFileSync(certs.clientKeyFile),
    });
  }

  it('connects in Azure Event Grid mode: mqtts, client certificate, client id as username, MQTT 5', async () => {
    const { config } = loadConfig({
      env: {},
      overrides: {
        'Butler.mqttConfig.enable': true,
        'Butler.mqttConfig.brokerHost': mutualTls.host,
        'Butler.mqttConfig.brokerPort': mutualTls.port,
        'Butler.mqttConfig.azureEventGrid.enable': true,
        'Butler.mqttConfig.azureEventGrid.clientId': 'sense-relay-01',
        'Butler.mqttConfig.azureEventGrid.clientCertFile': certs.clientCertFile,
        'Butler.mqttConfig.azureEventGrid.clientKeyFile': certs.clientKeyFile,
        'Relay.mqtt.tls.ca': certs.caFile,
      },
    });
    const subscriber = await subscriberFor(mutualTls, 'qliksense/butler/mqtt/status');
    try {
      brokers = await openBrokers(config, captureLog().log, new RelayMetrics());
      const main = brokers.connections.get('main');
      await waitUntil(() => main?.connected === true, 'the Event Grid mode connection');
      expect(main?.clientId).toBe('sense-relay-01');
      expect(main?.protocolVersion).toBe(5);
      const [status] = await subscriber.waitFor('qliksense/butler/mqtt/status', 1);
      expect(status?.payload).toBe(
        `Connected to MQTT broker ${mutualTls.host}:${mutualTls.port} with client ID sense-relay-01`,
      );
    } finally {
      await subscriber.close();
    }
  });

  it('names the config key when an Event Grid certificate file is missing', async () => {
    const { config } = loadConfig({
      env: {},
      overrides: {
        'Butler.mqttConfig.enable': true,
        'Butler.mqttConfig.azureEventGrid.enable': true,
        'Butler.mqttConfig.azureEventGrid.clientCertFile': '/no/such/client.pem',
        'Butler.mqttConfig.azureEventGrid.clientKeyFile': certs.clientKeyFile,
      },
    });
    await expect(openBrokers(config, captureLog().log, new RelayMetrics())).rejects.toThrow(
      /Butler\.mqttConfig\.azureEventGrid\.clientCertFile.*\/no\/such\/client\.pem/,
    );
  });

  it('opens the Qlik Cloud forward broker over TLS with username and password beside the main one', async () => {
    const { config } = loadConfig({
      env: {},
      overrides: {
        'Butler.mqttConfig.enable': true,
        'Butler.mqttConfig.brokerHost': mutualTls.host,
        'Butler.mqttConfig.brokerPort': mutualTls.port,
        'Relay.mqtt.tls.enable': true,
        'Relay.mqtt.tls.ca': certs.caFile,
        'Relay.mqtt.tls.cert': certs.clientCertFile,
        'Relay.mqtt.tls.key': certs.clientKeyFile,
        'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.enable': true,
        'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.host': cloud.host,
        'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.port': cloud.port,
        'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.username': 'cloudrelay',
        'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.password': 's3cret',
        'Relay.cloudMqtt.ca': certs.caFile,
      },
    });
    const watcher = await TestSubscriber.connect(
      cloud.url,
      ['butler/qscloud/event/mqttforward/status'],
      {
        ca: [readFileSync(certs.caFile)],
        username: 'cloudrelay',
        password: 's3cret',
      },
    );
    try {
      brokers = await openBrokers(config, captureLog().log, new RelayMetrics());
      expect([...brokers.connections.keys()]).toEqual(['main', 'cloud']);
      const [status] = await watcher.waitFor('butler/qscloud/event/mqttforward/status', 1);
      expect(status?.payload).toMatch(
        new RegExp(
          `^Connected to MQTT broker "mqtts://${cloud.host}:${cloud.port}" with client ID mqttjs_[0-9a-f]{8}$`,
        ),
      );
      await waitUntil(
        () => brokers?.connections.get('main')?.connected === true,
        'the main connection',
      );
    } finally {
      await watcher.close();
    }
  });

  it('keeps retrying an unreachable Qlik Cloud broker: logged, never thrown', async () => {
    const logs = captureLog();
    const { config } = loadConfig({
      env: {},
      overrides: {
        'Butler.mqttConfig.enable': true,
        'Butler.mqttConfig.brokerHost': cloud.host,
        'Butler.mqttConfig.brokerPort': 1, // nothing listens: both connections keep retrying
        'Relay.mqtt.embeddedBroker': false,
        'Relay.mqtt.reconnect.initialDelayMs': 50,
        'Relay.mqtt.reconnect.maxDelayMs': 100,
        'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.enable': true,
        'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.host': '127.0.0.1',
        'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.port': 1,
        'Relay.cloudMqtt.reconnect.initialDelayMs': 50,
        'Relay.cloudMqtt.reconnect.maxDelayMs': 100,
      },
    });
    brokers = await openBrokers(config, logs.log, new RelayMetrics());
    await waitUntil(
      () => logs.events('mqtt.reconnecting').filter((r) => r.broker === 'cloud').length >= 2,
      'the cloud connection to retry',
    );
    expect(brokers.connections.get('cloud')?.connected).toBe(false);
  });
});
