import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { CloudEndpoint } from '../../lib/qlik-cloud/qlik-cloud-api.js';
import { FakeHttpService } from './fake-http-service.js';
import type { QrsCertificates } from './qrs-certs.js';

/** One request as the fake received it. */
export interface RecordedCloudRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Which endpoint it was routed to, if any. */
  readonly endpoint: CloudEndpoint | undefined;
}

/** What `GET /api/v1/apps/{appId}` answers under `attributes` (a realistic subset). */
export interface FakeCloudApp {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly ownerId: string;
  readonly spaceId: string;
  readonly lastReloadTime: string;
  readonly published: boolean;
}

/** A reload record as `GET /api/v1/reloads/{reloadId}` answers it (facts 9.3 list the fields). */
export interface FakeCloudReload {
  readonly id: string;
  readonly appId: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly type: string;
  readonly status: string;
  readonly partial: boolean;
  readonly creationTime: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly log: string;
}

export interface FakeQlikCloudOptions {
  /** The server certificate (and its CA) the fake presents. */
  readonly certificates: QrsCertificates;
  /** The one API key it accepts as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** Load the example app and reload of facts 9.5 (default true). */
  readonly seed?: boolean;
}

/** The ids of the facts' example event (9.5). */
export const EXAMPLE_TENANT_ID = 'Xq3GhT0pLm8kR2vZyB6nWcA9sD4fE7uJ';
export const EXAMPLE_APP_ID = '4c3a1e2b-7d6f-4a8b-9c0d-1e2f3a4b5c6d';
export const EXAMPLE_RELOAD_ID = '670e1df04cf4e529c035c902';
export const EXAMPLE_OWNER_ID = '65a1f0c2e4b07d3a9c8e1f22';

export function exampleCloudApp(): FakeCloudApp {
  return {
    id: EXAMPLE_APP_ID,
    name: 'Sales Cloud Dashboard',
    description: 'Daily sales for the regional managers',
    ownerId: EXAMPLE_OWNER_ID,
    spaceId: '65a1f0c2e4b07d3a9c8e1f99',
    lastReloadTime: '2024-10-14T11:31:39.000Z',
    published: true,
  };
}

export const EXAMPLE_SCRIPT_LOG = [
  '20241014T113134.812+0000 Execution started.',
  '20241014T113135.101+0000 Qlik Sense Server Version 14.205.2',
  '20241014T113136.220+0000 0003  LOAD * FROM [lib://DataFiles/sales.qvd] (qvd)',
  '20241014T113139.455+0000 Error: Cannot open file: lib://DataFiles/sales.qvd',
  '20241014T113139.460+0000 Execution Failed',
].join('\r\n');

export function exampleCloudReload(): FakeCloudReload {
  return {
    id: EXAMPLE_RELOAD_ID,
    appId: EXAMPLE_APP_ID,
    tenantId: EXAMPLE_TENANT_ID,
    userId: EXAMPLE_OWNER_ID,
    type: 'chronos',
    status: 'FAILED',
    partial: false,
    creationTime: '2024-10-14T11:31:33.912Z',
    startTime: '2024-10-14T11:31:34.650Z',
    endTime: '2024-10-14T11:31:39.470Z',
    errorCode: 'EngineReloadScriptError',
    errorMessage: 'error in app script or datasource',
    log: EXAMPLE_SCRIPT_LOG,
  };
}

const APP_PATH = /^\/api\/v1\/apps\/([^/]+)$/;
const RELOAD_PATH = /^\/api\/v1\/reloads\/([^/]+)$/;
const LOG_PATH = /^\/api\/v1\/apps\/([^/]+)\/reloads\/logs\/([^/]+)$/;

/**
 * A stand-in for one Qlik Cloud tenant's REST API that a client talks to exactly as to the real
 * one: HTTPS, a bearer API key (401 with Qlik's error body otherwise), the real paths and JSON
 * shapes, the script log as text. Faults (error statuses, slowness, refused connections) can be
 * switched on and off while it runs; every request is kept.
 */
export class FakeQlikCloud extends FakeHttpService<CloudEndpoint, RecordedCloudRequest> {
  protected readonly server: https.Server;
  private readonly apps = new Map<string, FakeCloudApp>();
  private readonly reloads = new Map<string, FakeCloudReload>();

  private constructor(private readonly options: FakeQlikCloudOptions) {
    super();
    const { certificates } = options;
    this.server = https.createServer(
      { key: readFileSync(certificates.serverKey), cert: readFileSync(certificates.serverCert) },
      this.handleRequest,
    );
    if (options.seed ?? true) {
      this.addApp(exampleCloudApp());
      this.addReload(exampleCloudReload());
    }
  }

  static async start(options: FakeQlikCloudOptions): Promise<FakeQlikCloud> {
    const fake = new FakeQlikCloud(options);
    await fake.listen();
    return fake;
  }

  /** `https://127.0.0.1:<port>`, the tenant URL to configure. */
  get tenantUrl(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  addApp(app: FakeCloudApp): this {
    this.apps.set(app.id, app);
    return this;
  }

  /** Serves the reload at its own id, or at `servedAs` to act as an API answering the wrong one. */
  addReload(reload: FakeCloudReload, servedAs = reload.id): this {
    this.reloads.set(servedAs, reload);
    return this;
  }

  protected record(req: IncomingMessage): RecordedCloudRequest {
    const path = new URL(req.url ?? '/', 'https://fake-qlik-cloud').pathname;
    return {
      method: req.method ?? '',
      path,
      headers: req.headers,
      endpoint: routeOf(req.method ?? '', path),
    };
  }

  protected answer(request: RecordedCloudRequest, res: ServerResponse): void {
    if (request.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      return qlikError(res, 401, 'HTTP-401', 'Not authorized');
    }
    if (request.endpoint === undefined) return qlikError(res, 404, 'HTTP-404', 'Not found');
    const injected = this.injectedStatus(request.endpoint);
    if (injected !== undefined) {
      return qlikError(res, injected, `HTTP-${injected}`, 'Injected failure');
    }
    switch (request.endpoint) {
      case '/api/v1/apps/{appId}': {
        const app = this.apps.get(APP_PATH.exec(request.path)?.[1] ?? '');
        if (!app) return qlikError(res, 404, 'APP-404', 'App not found');
        // Qlik answers the app's attributes and the caller's privileges.
        return json(res, { attributes: app, privileges: ['read'], create: [] });
      }
      case '/api/v1/reloads/{reloadId}': {
        const reload = this.reloads.get(RELOAD_PATH.exec(request.path)?.[1] ?? '');
        if (!reload) return qlikError(res, 404, 'RELOADS-404', 'Reload not found');
        return json(res, { ...reload, links: { self: { href: request.path } } });
      }
      case '/api/v1/apps/{appId}/reloads/logs/{reloadId}': {
        const [, appId, reloadId] = LOG_PATH.exec(request.path) ?? [];
        const reload = this.reloads.get(reloadId ?? '');
        if (!reload || reload.appId !== appId) {
          return qlikError(res, 404, 'APP-404', 'Reload log not found');
        }
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(reload.log);
        return;
      }
    }
  }
}

function routeOf(method: string, path: string): CloudEndpoint | undefined {
  if (method !== 'GET') return undefined;
  if (LOG_PATH.test(path)) return '/api/v1/apps/{appId}/reloads/logs/{reloadId}';
  if (APP_PATH.test(path)) return '/api/v1/apps/{appId}';
  if (RELOAD_PATH.test(path)) return '/api/v1/reloads/{reloadId}';
  return undefined;
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Qlik Cloud's error body: a list of `{ code, title, status }`. */
function qlikError(res: ServerResponse, status: number, code: string, title: string): void {
  res
    .writeHead(status, { 'Content-Type': 'application/json' })
    .end(JSON.stringify({ errors: [{ code, title, status: String(status) }] }));
}
