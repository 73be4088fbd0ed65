import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import type { HealthReport } from './health.js';
import { PAGE_ASSET_PATHS, pageAssets, type PageAsset } from './status-page/page-assets.js';
import type { StatusSnapshot } from './status-page/status-snapshot.js';

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port; `OpsServer.port` tells which. */
  port: number;
  metrics: RelayMetrics;
  health: () => HealthReport;
  log: Logger;
  /** The status page's data; with it, `/` serves the page and `/status.json` its data. */
  status?: () => Promise<StatusSnapshot>;
  /** Where the page's files are read from; defaults to the package's `web/` folder. */
  pageAssets?: (path: string) => Promise<PageAsset>;
}

export interface OpsServer {
  /** The port actually bound. */
  port: number;
  close(): Promise<void>;
}

type Route = (res: ServerResponse) => Promise<void> | void;

/**
 * The page may load only its own script, style and data: payload excerpts it shows are untrusted
 * text, and it renders them as text, but a policy keeps a slip from becoming script.
 */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

/**
 * The operations endpoint: `/healthz` for probes, `/metrics` for Prometheus, and, given `status`,
 * the status page at `/` with its data at `/status.json`.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { metrics, health, log, status } = options;
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
    ...(status === undefined ? {} : statusPageRoutes(status, options.pageAssets ?? pageAssets())),
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

/**
 * The page, its script and style, and `/status.json`. The page polls the JSON every few seconds
 * rather than holding an event stream open: each poll is a short request like a scrape, the relay
 * keeps no state per viewer and runs no timer for one, and shutdown has nothing to wait for.
 */
function statusPageRoutes(
  status: () => Promise<StatusSnapshot>,
  assets: (path: string) => Promise<PageAsset>,
): Record<string, Route> {
  const routes: Record<string, Route> = {
    '/status.json': async (res) => sendJson(res, 200, await status(), PAGE_HEADERS),
  };
  for (const path of PAGE_ASSET_PATHS) {
    routes[path] = async (res) => {
      const { body, contentType } = await assets(path);
      send(res, 200, contentType, body, PAGE_HEADERS);
    };
  }
  return routes;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
