import { licenseFixture } from '../support/fake-qrs.js';
import { metricValue, waitForMetric } from '../support/relay-metrics-scrape.js';
import { RelayProcess } from '../support/relay-process.js';
import {
  startTaskEventsEnvironment,
  taskRelayConfig,
  type TaskEventsEnvironment,
} from '../support/task-relay.js';

const STATUS = 'qliksense/qliksense_server_license';
const EXPIRE = 'qliksense/qliksense_server_license_expire';

/**
 * The built relay process checking the licence at the fake Repository Service (HTTPS with the
 * client certificate) and publishing to a real broker.
 */
describe('the licence monitor in the relay process, on a real broker', () => {
  let env: TaskEventsEnvironment;
  let relay: RelayProcess | undefined;

  beforeAll(async () => {
    env = await startTaskEventsEnvironment();
  });
  afterEach(async () => {
    await relay?.kill();
    relay = undefined;
  });
  afterAll(async () => {
    await env.close();
  });

  it('checks at start-up: the status JSON and the expired alert; an outage is survived', async () => {
    env.qrs.setLicense({
      ...licenseFixture(),
      isExpired: true,
      keyDetails: 'Product: Qlik Sense Enterprise\nValid To: 2024-12-31T23:59:59Z',
    });
    env.qrs.fail('/qrs/license', 500);
    const config = taskRelayConfig(env, {
      udpServerConfig: { enable: false },
      relay: { qrs: { attempts: 1 } },
    }) as { Butler: Record<string, unknown> };
    config.Butler.qlikSenseLicense = {
      serverLicenseMonitor: {
        enable: true,
        frequency: 'every 1 second',
        alert: { thresholdDays: 60 },
        destination: { mqtt: { enable: true } },
      },
    };
    relay = RelayProcess.start(config);
    const http = await relay.waitForLog('http.listening');
    await relay.waitForLog('license-monitor.check-failed');
    await env.qrs.restore();

    const [status] = await env.subscriber.waitFor(STATUS, 1);
    const payload = JSON.parse(status?.payload ?? '{}') as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['licenseExpired', 'expiryDateStr', 'daysUntilExpiry']);
    expect(payload.licenseExpired).toBe(true);
    expect(payload.expiryDateStr).toBe('2024-12-31T23:59:59Z');
    expect(Number.isInteger(payload.daysUntilExpiry)).toBe(true);
    expect(payload.daysUntilExpiry as number).toBeLessThan(0);
    const [alert] = await env.subscriber.waitFor(EXPIRE, 1);
    expect(alert?.payload).toBe('Qlik Sense server license expired on 2024-12-31T23:59:59Z');

    const metrics = await waitForMetric(
      Number(http.port),
      'relay_license_checks_total',
      { outcome: 'ok' },
      (v) => v >= 1,
    );
    expect(
      metricValue(metrics, 'relay_license_checks_total', { outcome: 'failed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await relay.stop()).toBe(0);
  });
});
