import { createServer } from 'node:net';
import { assessHealth, type HealthReport } from '../../lib/http/health.js';
import { startOpsServer, type OpsServer } from '../../lib/http/ops-server.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { captureLog, type LogCapture } from '../support/log-capture.js';

const healthy = assessHealth({ local: { connected: true } }, { butler: { running: true } });
const brokerDown = assessHealth({ local: { connected: false } }, { butler: { running: true } });

describe('startOpsServer', () => {
  let metrics: RelayMetrics;
  let health: () => HealthReport;
  let logged: LogCapture;
  let server: OpsServer;
  let base: string;

  beforeEach(async () => {
    metrics = new RelayMetrics();
    health = () => healthy;
    logged = captureLog();
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      health: () => health(),
      log: logged.log,
    });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterEach(async () => {
    await server.close();
  });

  it('binds a free port when asked for port 0 and logs where it listens', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(logged.records).toContainEqual(
      expect.objectContaining({ event: 'http.listening', port: server.port }),
    );
  });

  it('answers /healthz with 200 and the report while healthy', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok', ...healthy });
  });

  it('answers /healthz with 503 while unhealthy', async () => {
    health = () => brokerDown;
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unhealthy', ...brokerDown });
  });

  it('ignores a query string when routing', async () => {
    const res = await fetch(`${base}/healthz?verbose=1`);
    expect(res.status).toBe(200);
  });

  it('serves the registry in Prometheus text format on /metrics', async () => {
    metrics.eventsIn.inc({ pipeline: 'x' }, 3);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await res.text();
    expect(text).toContain('# TYPE relay_events_in_total counter');
    expect(text).toContain('relay_events_in_total{pipeline="x"} 3');
  });

  it('answers an unknown path with 404 JSON', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: 'not found' });
  });

  it('answers any method but GET with 405 and Allow: GET', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${base}/healthz`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      await res.body?.cancel();
    }
  });

  it('turns a throwing handler into 500, logs it and keeps serving', async () => {
    health = () => {
      throw new Error('probe exploded');
    };
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error' });
    expect(logged.records).toContainEqual(
      expect.objectContaining({ event: 'http.error', url: '/healthz' }),
    );

    health = () => healthy;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('frees its port on close, even with a keep-alive connection open', async () => {
    await (await fetch(`${base}/healthz`)).text(); // leaves a pooled keep-alive socket
    const port = server.port;
    await server.close();
    await expect(listenOn(port)).resolves.toBeUndefined();
    server = await startOpsServer({ host: '127.0.0.1', port: 0, metrics, health, log: logged.log });
  });

  it('rejects when the port is taken', async () => {
    await expect(
      startOpsServer({ host: '127.0.0.1', port: server.port, metrics, health, log: logged.log }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('assessHealth', () => {
  it('is healthy when every broker is connected and every pipeline runs', () => {
    expect(assessHealth({ a: { connected: true } }, { p: { running: true } }).healthy).toBe(true);
    expect(assessHealth({}, {}).healthy).toBe(true);
  });

  it('is unhealthy when any broker is down or any pipeline stopped', () => {
    const brokers = { a: { connected: true }, b: { connected: false } };
    expect(assessHealth(brokers, {}).healthy).toBe(false);
    expect(assessHealth({}, { p: { running: true }, q: { running: false } }).healthy).toBe(false);
  });

  it('carries the details it judged', () => {
    const brokers = { a: { connected: false } };
    const pipelines = { p: { running: true } };
    expect(assessHealth(brokers, pipelines)).toEqual({ healthy: false, brokers, pipelines });
  });
});

/** Binds and releases `port`, proving nothing else holds it. */
function listenOn(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
