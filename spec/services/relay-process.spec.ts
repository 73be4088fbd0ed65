import { RelayProcess } from '../support/relay-process.js';
import { TestSubscriber } from '../support/subscriber.js';
import {
  startTaskEventsEnvironment,
  taskRelayConfig,
  type TaskEventsEnvironment,
} from '../support/task-relay.js';
import { FakeServiceCommands } from './fake-commands.js';

const UNIT = 'relay-e2e.service';
const STATUS = `qliksense/service_status/localhost/${UNIT}`;
const RUNNING = `qliksense/service_running/localhost/${UNIT}`;
const STOPPED = `qliksense/service_stopped/localhost/${UNIT}`;

type Payload = Record<string, unknown>;
const parse = (payload: string): Payload => JSON.parse(payload) as Payload;

/**
 * The built relay process watching a local unit with the systemd probe. systemd is not PID 1 in
 * the test container, so `systemctl` on the relay's PATH is the fake, which prints real
 * `systemctl show` output for a real process this test starts and kills.
 */
describe('the service monitor in the relay process, on a real broker', () => {
  let env: TaskEventsEnvironment;
  let fakes: FakeServiceCommands;
  let relay: RelayProcess | undefined;

  beforeAll(async () => {
    env = await startTaskEventsEnvironment();
    fakes = new FakeServiceCommands();
  });
  afterEach(async () => {
    await relay?.kill();
    relay = undefined;
  });
  afterAll(async () => {
    await fakes.close();
    await env.close();
  });

  function start(): Promise<unknown> {
    const config = taskRelayConfig(env, { udpServerConfig: { enable: false } }) as {
      Butler: Record<string, unknown>;
      Relay: Record<string, unknown>;
    };
    config.Butler.serviceMonitor = {
      enable: true,
      frequency: 'every 1 second',
      monitor: [{ host: 'localhost', services: [{ name: UNIT, friendlyName: 'E2E unit' }] }],
      alertDestination: { mqtt: { enable: true } },
    };
    config.Relay.serviceMonitor = { probe: 'systemd', timeoutMs: 5000 };
    relay = RelayProcess.start(config, { PATH: fakes.path });
    return relay.waitForLog('mqtt.connected');
  }

  it('sees a real process stop and start as stopped and running messages; the status is retained', async () => {
    await fakes.start(UNIT);
    await start();
    const { subscriber } = env;

    const first = await subscriber.waitForMessage(
      STATUS,
      (m) => parse(m.payload).serviceStatus === 'RUNNING',
    );
    expect(parse(first.payload)).toEqual({
      serviceHost: 'localhost',
      serviceName: UNIT,
      serviceDisplayName: 'Relay probe test unit',
      serviceFriendlyName: 'E2E unit',
      serviceDependencies: ['relay-probe-db.service'],
      serviceStartType: 'Automatic',
      serviceExePath: '/usr/bin/sleep 1000',
      serviceStatus: 'RUNNING',
      relay_serviceState: 'RUNNING',
    });

    await fakes.stop(UNIT);
    const stopped = await subscriber.waitForMessage(STOPPED, () => true);
    expect(parse(stopped.payload)).toMatchObject({
      serviceStatus: 'STOPPED',
      servicePrevStatus: 'RUNNING',
      serviceStatusChanged: true,
      relay_serviceState: 'STOPPED',
    });

    await fakes.start(UNIT);
    const running = await subscriber.waitForMessage(RUNNING, () => true);
    expect(parse(running.payload)).toMatchObject({
      serviceStatus: 'RUNNING',
      servicePrevStatus: 'STOPPED',
      serviceStatusChanged: true,
    });
    // Butler's first-check rule: the first RUNNING was no change, so exactly one running message.
    expect(subscriber.messages(RUNNING)).toHaveLength(1);
    expect(subscriber.messages(STOPPED)).toHaveLength(1);

    // A subscriber that comes later learns the current state from the retained status.
    const late = await TestSubscriber.connect(env.broker.url, [STATUS]);
    try {
      const retained = await late.waitForMessage(STATUS, (m) => m.retain);
      expect(parse(retained.payload).serviceStatus).toBe('RUNNING');
    } finally {
      await late.close();
    }

    expect(await relay?.stop()).toBe(0);
  });

  it('refuses a schedule it cannot follow when the config loads, naming the key', async () => {
    const config = taskRelayConfig(env, { udpServerConfig: { enable: false } }) as {
      Butler: Record<string, unknown>;
    };
    config.Butler.serviceMonitor = {
      enable: true,
      frequency: 'at 10:15 am',
      monitor: [{ host: 'localhost', services: [{ name: UNIT, friendlyName: 'E2E unit' }] }],
    };
    relay = RelayProcess.start(config, { PATH: fakes.path });
    expect(await relay.wait()).toBe(1);
    // Refused while the config loads, before anything connects.
    expect(relay.stderr).toContain('Butler.serviceMonitor.frequency: got "at 10:15 am"');
    expect(relay.records('relay.started')).toEqual([]);
  });
});
