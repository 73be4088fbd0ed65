import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { parse } from 'yaml';
import { freePort } from '../support/free-port.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { RelayProcess } from '../support/relay-process.js';
import { TestSubscriber } from '../support/subscriber.js';

const BUTLER_EXAMPLE = fileURLToPath(new URL('../../config/butler-example.yaml', import.meta.url));
const PIPELINE_MODULES = fileURLToPath(new URL('../fixtures/pipelines/', import.meta.url));

/** The complete Butler example config, pointed at a test broker, with the relay's HTTP on port 0. */
function butlerConfig(broker: Mosquitto, relay: Record<string, unknown> = {}) {
  const config = parse(readFileSync(BUTLER_EXAMPLE, 'utf8')) as {
    Butler: { mqttConfig: Record<string, unknown>; udpServerConfig: Record<string, unknown> };
    Relay?: Record<string, unknown>;
  };
  Object.assign(config.Butler.mqttConfig, {
    enable: true,
    brokerHost: broker.host,
    brokerPort: broker.port,
  });
  config.Butler.udpServerConfig.enable = false;
  config.Relay = { http: { enable: true, port: 0 }, ...relay };
  return config;
}

describe('the relay process', () => {
  let broker: Mosquitto;
  let subscriber: TestSubscriber;
  let relay: RelayProcess | undefined;

  beforeAll(async () => {
    broker = await startMosquitto();
    subscriber = await TestSubscriber.connect(broker.url, ['#']);
  });
  afterEach(async () => {
    await relay?.kill();
    relay = undefined;
  });
  afterAll(async () => {
    await subscriber.close();
    await broker.stop();
  });

  it('runs a complete Butler config: status line, retained availability, health, clean exit', async () => {
    relay = RelayProcess.start(butlerConfig(broker));
    const connected = await relay.waitForLog('mqtt.connected');
    const [status] = await subscriber.waitFor('qliksense/butler/mqtt/status', 1);
    expect(status?.payload).toBe(
      `Connected to MQTT broker ${broker.host}:${broker.port} with client ID ${String(connected.clientId)}`,
    );
    expect(String(connected.clientId)).toMatch(/^mqttjs_[0-9a-f]{8}$/);
    await subscriber.waitForMessage(
      'qliksense/sense-mqtt-relay/availability',
      (m) => m.payload === 'online',
    );

    const { port } = await relay.waitForLog('http.listening');
    const health = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
    expect(metrics).toContain('relay_broker_connected{broker="main"} 1');

    expect(relay.records('config.ignored')).toEqual([]); // debug lines stay below the info level
    expect(await relay.stop()).toBe(0);
    await subscriber.waitForMessage(
      'qliksense/sense-mqtt-relay/availability',
      (m) => m.payload === 'offline',
    );
  });

  it('runs a YAML pipeline and a TypeScript pipeline module side by side', async () => {
    relay = RelayProcess.start(
      butlerConfig(broker, {
        pipelineModules: PIPELINE_MODULES,
        pipelines: [
          {
            name: 'heartbeat',
            source: { type: 'timer', every: '50ms' },
            routes: [{ topic: 'relay-test/heartbeat', payload: 'beat {{data.count}}' }],
          },
        ],
      }),
    );
    await relay.waitForLog('relay.started');
    const beats = await subscriber.waitFor('relay-test/heartbeat', 3);
    expect(beats.slice(0, 3).map((m) => m.payload)).toEqual(['beat 0', 'beat 1', 'beat 2']);
    expect(beats[0]?.qos).toBe(1);

    await relay.waitForLog('mqtt.connected');
    const publisher = await mqtt.connectAsync(broker.url);
    await publisher.publishAsync('relay-test/in/x', 'quiet please', { qos: 1 });
    await publisher.endAsync();
    const [shout] = await subscriber.waitFor('relay-test/shout', 1);
    expect(shout?.payload).toBe('QUIET PLEASE');
    expect(await relay.stop('SIGINT')).toBe(0);
  });

  it('refuses an invalid config with exit 1 and every problem, before any connection', async () => {
    relay = RelayProcess.start(
      'Butler:\n  mqttConfig:\n    enable: true\n    brokerPort: 70000\n    taskAbortedTopic: "a/#"\nRelay:\n  publish:\n    inFlight: 0\n',
    );
    expect(await relay.wait()).toBe(1);
    expect(relay.stderr).toContain('Butler.mqttConfig.brokerPort: got 70000');
    expect(relay.stderr).toContain('Butler.mqttConfig.taskAbortedTopic: got "a/#"');
    expect(relay.stderr).toContain('Relay.publish.inFlight: got 0');
    expect(relay.logs).toEqual([]);
  });

  it('on the embedded default, starts its own broker when nothing listens on the configured port', async () => {
    const mqttPort = await freePort();
    const udpPort = await freePort();
    relay = RelayProcess.run([], {
      BUTLER_MQTTCONFIG_BROKERPORT: String(mqttPort),
      BUTLER_UDPSERVERCONFIG_PORTTASKFAILURE: String(udpPort),
      RELAY_HTTP_PORT: '0',
    });
    const embedded = await relay.waitForLog('broker.embedded');
    expect(embedded.port).toBe(mqttPort);
    // The embedded broker speaks MQTT 3.1.1, like the relay's default.
    const local = await TestSubscriber.connect(`mqtt://127.0.0.1:${mqttPort}`, ['qliksense/#'], {
      protocolVersion: 4,
    });
    try {
      await local.waitForMessage(
        'qliksense/sense-mqtt-relay/availability',
        (m) => m.payload === 'online',
      );
      await local.waitForMessage(
        'qliksense/butler/task_failure_server',
        (m) => m.payload === 'start',
      );
    } finally {
      await local.close();
    }
    expect(await relay.stop()).toBe(0);
  });

  it('never replaces a broker that is already there', async () => {
    relay = RelayProcess.start(butlerConfig(broker, { mqtt: { embeddedBroker: true } }));
    await relay.waitForLog('mqtt.connected');
    expect(relay.records('broker.embedded')).toEqual([]);
  });
});
