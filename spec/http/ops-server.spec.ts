import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent } from '../../lib/events.js';
import { assessHealth, type HealthReport } from '../../lib/http/health.js';
import { startOpsServer, type OpsServer } from '../../lib/http/ops-server.js';
import { pageAssets } from '../../lib/http/status-page/page-assets.js';
import { RecentActivity } from '../../lib/http/status-page/recent-activity.js';
import {
  statusReader,
  type StatusReader,
  type StatusSnapshot,
} from '../../lib/http/status-page/status-snapshot.js';
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

describe('startOpsServer with the status page', () => {
  let metrics: RelayMetrics;
  let recent: RecentActivity;
  let reader: StatusReader;
  let logged: LogCapture;
  let folder: string;
  let server: OpsServer;
  let base: string;

  beforeEach(async () => {
    metrics = new RelayMetrics();
    recent = new RecentActivity();
    reader = statusReader({
      version: '1.2.3',
      startedAt: Date.parse('2025-01-02T03:04:05Z'),
      healthy: () => true,
      brokers: new Map(),
      pipelines: [{ name: 'p', running: true }],
      publishers: () => [],
      outbox: { durable: false },
      metrics,
      recent,
      secrets: [],
    });
    logged = captureLog();
    folder = mkdtempSync(join(tmpdir(), 'relay-page-'));
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      health: () => healthy,
      status: reader.read,
      pageAssets: pageAssets(folder),
      log: logged.log,
    });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterEach(async () => {
    await server.close();
    reader.stop();
  });

  it('serves /status.json from the metrics and the recent activity', async () => {
    metrics.eventsIn.inc({ pipeline: 'p' }, 4);
    metrics.eventsOut.inc({ pipeline: 'p' }, 2);
    recent.recorder('p').event(createEvent('timer.tick', 'timer:t', { count: 7 }));
    const res = await fetch(`${base}/status.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const status = (await res.json()) as StatusSnapshot;
    expect(status.relay).toMatchObject({ version: '1.2.3', startedAt: '2025-01-02T03:04:05.000Z' });
    expect(status.pipelines).toEqual([
      expect.objectContaining({ name: 'p', running: true, eventsIn: 4, messagesOut: 2 }),
    ]);
    expect(status.outbox.store).toBe('memory');
    expect(status.recent).toEqual([
      expect.objectContaining({ pipeline: 'p', kind: 'timer.tick', excerpt: '{"count":7}' }),
    ]);
  });

  it('reads a page file on its first request, not before', async () => {
    writeFileSync(join(folder, 'status-page.html'), '<!doctype html><title>t</title>');
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe('<!doctype html><title>t</title>');
  });

  it('answers 500 and logs it when a page file cannot be read, then serves it once it can', async () => {
    const missing = await fetch(`${base}/status-page.css`);
    expect(missing.status).toBe(500);
    await missing.body?.cancel();
    expect(logged.records).toContainEqual(
      expect.objectContaining({ event: 'http.error', url: '/status-page.css' }),
    );
    writeFileSync(join(folder, 'status-page.css'), 'body{}');
    expect(await (await fetch(`${base}/status-page.css`)).text()).toBe('body{}');
  });

  it('serves no page without status data', async () => {
    const plain = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      health: () => healthy,
      log: logged.log,
    });
    try {
      for (const path of ['/', '/status.json', '/status-page.js']) {
        const res = await fetch(`http://127.0.0.1:${plain.port}${path}`);
        expect(res.status).toBe(404);
        await res.body?.cancel();
      }
    } finally {
      await plain.close();
    }
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
