import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import type { HealthReport } from './health.js';

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port; `OpsServer.port` tells which. */
  port: number;
  metrics: RelayMetrics;
  health: () => HealthReport;
  log: Logger;
}

export interface OpsServer {
  /** The port actually bound. */
  port: number;
  close(): Promise<void>;
}

type Route = (res: ServerResponse) => Promise<void> | void;

/** The operations endpoint: `/healthz` for probes and `/metrics` for Prometheus. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { metrics, health, log } = options;
  const routes: Record<string, Route> = {
    '/healthz': (res) => {
      const report = health();
      const status = report.healthy ? 'ok' : 'unhealthy';
      sendJson(res, report.healthy ? 200 : 503, { status, ...report });
    },
    '/metrics': async (res) => {
      const text = await metrics.registry.metrics();
      send(res, 200, metrics.registry.contentType, text);
    },
  };

  const server = createServer((req, res) => {
    handle(req, res, routes).catch((error: unknown) => {
      log.error(
        { event: 'http.error', err: error, method: req.method, url: req.url },
        'ops request failed',
      );
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A socket error after start is logged; an unhandled 'error' event would end the process.
  server.on('error', (error) => log.error({ event: 'http.error', err: error }, 'ops server error'));

  const { address, port } = server.address() as AddressInfo;
  log.info(
    { event: 'http.listening', address, port },
    `ops endpoint listening on http://${address}:${port}`,
  );

  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // A scrape is cheap to repeat; waiting on keep-alive or slow clients would stall shutdown.
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Record<string, Route>,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (route === undefined) {
    sendJson(res, 404, { error: 'not found', path });
    return;
  }
  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    sendJson(res, 405, { error: 'method not allowed', method: req.method });
    return;
  }
  await route(res);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
