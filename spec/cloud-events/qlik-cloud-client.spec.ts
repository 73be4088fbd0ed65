import { readFileSync } from 'node:fs';
import {
  QlikCloudClient,
  type QlikCloudClientOptions,
} from '../../lib/qlik-cloud/qlik-cloud-client.js';
import { QlikCloudApiError } from '../../lib/qlik-cloud/qlik-cloud-error.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import {
  EXAMPLE_APP_ID,
  EXAMPLE_RELOAD_ID,
  EXAMPLE_SCRIPT_LOG,
  exampleCloudReload,
  FakeQlikCloud,
} from '../support/fake-qlik-cloud.js';
import { metricValue } from '../support/metrics.js';
import { createQrsCertificates, type QrsCertificates } from '../support/qrs-certs.js';

const API_KEY = 'eyJhbGciOiJFUzM4NCJ9.test-api-key.signature';

/** The Qlik Cloud REST client against a fake tenant over HTTPS, in health and in trouble. */
describe('QlikCloudClient', () => {
  let certs: QrsCertificates;
  let cloud: FakeQlikCloud;
  let client: QlikCloudClient | undefined;

  beforeAll(async () => {
    certs = createQrsCertificates();
    cloud = await FakeQlikCloud.start({ certificates: certs, apiKey: API_KEY });
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await cloud.restore();
    cloud.clearRecords();
  });
  afterAll(async () => {
    await cloud.close();
    certs.remove();
  });

  function clientFor(options: Partial<QlikCloudClientOptions> = {}): QlikCloudClient {
    client = new QlikCloudClient({
      tenantUrl: cloud.tenantUrl,
      apiKey: API_KEY,
      ca: readFileSync(certs.ca),
      retryDelayMs: 10,
      ...options,
    });
    return client;
  }

  it('asks the real paths with the API key as a bearer token and reads their shapes', async () => {
    const api = clientFor();
    await expect(api.getApp(EXAMPLE_APP_ID)).resolves.toEqual({
      id: EXAMPLE_APP_ID,
      name: 'Sales Cloud Dashboard',
      description: 'Daily sales for the regional managers',
      ownerId: '65a1f0c2e4b07d3a9c8e1f22',
      spaceId: '65a1f0c2e4b07d3a9c8e1f99',
      lastReloadTime: '2024-10-14T11:31:39.000Z',
      published: true,
    });
    await expect(api.getReload(EXAMPLE_RELOAD_ID)).resolves.toEqual({
      id: EXAMPLE_RELOAD_ID,
      appId: EXAMPLE_APP_ID,
      type: 'chronos',
      status: 'FAILED',
      creationTime: '2024-10-14T11:31:33.912Z',
      startTime: '2024-10-14T11:31:34.650Z',
      endTime: '2024-10-14T11:31:39.470Z',
      errorCode: 'EngineReloadScriptError',
      errorMessage: 'error in app script or datasource',
    });
    await expect(api.getScriptLog(EXAMPLE_APP_ID, EXAMPLE_RELOAD_ID)).resolves.toBe(
      EXAMPLE_SCRIPT_LOG,
    );
    expect(cloud.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      [`/api/v1/apps/${EXAMPLE_APP_ID}`, `Bearer ${API_KEY}`],
      [`/api/v1/reloads/${EXAMPLE_RELOAD_ID}`, `Bearer ${API_KEY}`],
      [`/api/v1/apps/${EXAMPLE_APP_ID}/reloads/logs/${EXAMPLE_RELOAD_ID}`, `Bearer ${API_KEY}`],
    ]);
  });

  it('resolves undefined for what does not exist, and never sends an id that is no Qlik id', async () => {
    const api = clientFor();
    await expect(api.getApp('0b7e0a2c-0000-4000-8000-000000000000')).resolves.toBeUndefined();
    await expect(api.getReload('no-such-reload')).resolves.toBeUndefined();
    await expect(api.getReload('../../api/v1/users')).resolves.toBeUndefined();
    expect(cloud.requests).toHaveLength(2);
  });

  it('fails with 401 on a wrong API key, at once, without the key in the message', async () => {
    const metrics = new RelayMetrics();
    const api = clientFor({ apiKey: 'expired-key', metrics, attempts: 3 });
    const failure = await api.getReload(EXAMPLE_RELOAD_ID).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QlikCloudApiError);
    expect(failure).toMatchObject({ kind: 'http', status: 401 });
    expect((failure as Error).message).toMatch(/HTTP 401 \(check the API key\)/);
    expect((failure as Error).message).not.toContain('expired-key');
    expect(cloud.requests).toHaveLength(1);
    expect(await metricValue(metrics, 'relay_qlik_cloud_requests_total', { outcome: 'http' })).toBe(
      1,
    );
  });

  it('retries a 5xx and succeeds when the API recovers', async () => {
    cloud.fail('/api/v1/reloads/{reloadId}', 503, 1);
    const api = clientFor({ attempts: 2 });
    await expect(api.getReload(EXAMPLE_RELOAD_ID)).resolves.toMatchObject({ status: 'FAILED' });
    expect(cloud.requestsTo('/api/v1/reloads/{reloadId}')).toHaveLength(2);
  });

  it('gives up on a slow API after the time-out', async () => {
    cloud.delay(5_000);
    const api = clientFor({ timeoutMs: 100, attempts: 1 });
    await expect(api.getApp(EXAMPLE_APP_ID)).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('reports refused connections as a network failure, after its attempts', async () => {
    await cloud.refuseConnections();
    const api = clientFor({ attempts: 2 });
    await expect(api.getReload(EXAMPLE_RELOAD_ID)).rejects.toMatchObject({ kind: 'network' });
  });

  it('sends again a request whose kept-alive socket the server had closed meanwhile', async () => {
    const api = clientFor({ attempts: 1 });
    await api.getReload(EXAMPLE_RELOAD_ID);
    await cloud.refuseConnections(); // closes every open connection, the idle one included
    await cloud.restore();
    await expect(api.getReload(EXAMPLE_RELOAD_ID)).resolves.toMatchObject({ status: 'FAILED' });
  });

  it('asks once for an app that a burst of reloads needs', async () => {
    const api = clientFor();
    const apps = await Promise.all([1, 2, 3].map(() => api.getApp(EXAMPLE_APP_ID)));
    await api.getApp(EXAMPLE_APP_ID);
    expect(apps.map((app) => app?.name)).toEqual(Array(3).fill('Sales Cloud Dashboard'));
    expect(cloud.requestsTo('/api/v1/apps/{appId}')).toHaveLength(1);
  });

  it('keeps at most maxConcurrent requests on the wire', async () => {
    cloud.delay(30);
    const api = clientFor({ maxConcurrent: 2 });
    await Promise.all(Array.from({ length: 8 }, () => api.getReload(EXAMPLE_RELOAD_ID)));
    expect(cloud.requestsTo('/api/v1/reloads/{reloadId}')).toHaveLength(8);
    expect(cloud.maxConcurrentSeen).toBeLessThanOrEqual(2);
  });

  it('refuses a reload record that is not the one asked for', async () => {
    const asked = '670e1df04cf4e529c035c999';
    cloud.addReload(exampleCloudReload(), asked);
    const failure = await clientFor()
      .getReload(asked)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QlikCloudApiError);
    expect(failure).toMatchObject({
      kind: 'invalid-response',
      message: `Qlik Cloud /api/v1/reloads/{reloadId} answered reload "${EXAMPLE_RELOAD_ID}" for ${asked}`,
    });
  });
});
