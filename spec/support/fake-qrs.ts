import { readFileSync } from 'node:fs';
import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import https from 'node:https';
import type { QrsClientOptions } from '../../lib/qrs/qrs-client.js';
import type { QrsAppFull, QrsLicense, QrsTaskFull } from '../../lib/qrs/qrs-types.js';
import type { QrsEndpoint } from '../../lib/qrs/repository-service.js';
import { FakeHttpService } from './fake-http-service.js';
import type { QrsCertificates } from './qrs-certs.js';

/** One request as the fake received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Decoded query parameters. */
  readonly query: Readonly<Record<string, string>>;
  /** The raw request target as sent, e.g. `/qrs/task?filter=id%20eq%20…&xrfkey=…`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Which endpoint it was routed to, if any. */
  readonly endpoint: QrsEndpoint | undefined;
}

export interface FakeQrsOptions {
  /** HTTPS with a required client certificate (default); `false` serves plain HTTP. */
  readonly tls?: boolean;
  /** Needed with `tls`. */
  readonly certificates?: QrsCertificates;
  /** Load the objects of spec/fixtures/qrs (default true). */
  readonly seed?: boolean;
}

const FIXTURES = new URL('../fixtures/qrs/', import.meta.url);

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
}

/** Fresh copies of the objects of facts 12.3. */
export const taskFullFixture = (): QrsTaskFull => fixture('task-full.json');
export const appFullFixture = (): QrsAppFull => fixture('app-full.json');
export const licenseFixture = (): QrsLicense => fixture('license.json');

const FILTER_BY_ID =
  /^\s*id\s+eq\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$/i;
const START_PATH = /^\/qrs\/task\/([^/]+)\/start$/;

/**
 * A stand-in for the Qlik Sense Repository Service that a client talks to exactly as to the real
 * one: HTTPS on 127.0.0.1 demanding a client certificate, xrfkey and X-Qlik-User checks, real
 * paths and JSON shapes. Faults can be switched on and off while it runs; every request is kept.
 */
export class FakeQrs extends FakeHttpService<QrsEndpoint, RecordedRequest> {
  /** Ids of the tasks started, in order. */
  readonly startedTasks: string[] = [];
  /** TLS handshakes it refused (no or untrusted client certificate). */
  tlsRejections = 0;

  protected readonly server: http.Server;
  private readonly tasks = new Map<string, QrsTaskFull>();
  private readonly apps = new Map<string, QrsAppFull>();
  private license: QrsLicense | undefined;

  private constructor(private readonly options: FakeQrsOptions) {
    super();
    const handler = this.handleRequest;
    if (options.tls ?? true) {
      const certs = options.certificates;
      if (!certs) throw new Error('FakeQrs with tls needs certificates');
      const server = https.createServer(
        {
          key: readFileSync(certs.serverKey),
          cert: readFileSync(certs.serverCert),
          ca: readFileSync(certs.ca),
          requestCert: true,
          rejectUnauthorized: true,
        },
        handler,
      );
      server.on('tlsClientError', () => {
        this.tlsRejections += 1;
      });
      this.server = server;
    } else {
      this.server = http.createServer(handler);
    }
    if (options.seed ?? true) {
      this.addTask(taskFullFixture());
      this.addApp(appFullFixture());
      this.setLicense(licenseFixture());
    }
  }

  static async start(options: FakeQrsOptions = {}): Promise<FakeQrs> {
    const fake = new FakeQrs(options);
    await fake.listen();
    return fake;
  }

  get tls(): boolean {
    return this.options.tls ?? true;
  }

  addTask(task: QrsTaskFull): this {
    this.tasks.set(task.id.toLowerCase(), task);
    return this;
  }

  addApp(app: QrsAppFull): this {
    this.apps.set(app.id.toLowerCase(), app);
    return this;
  }

  /** `undefined` makes `/qrs/license` answer 404. */
  setLicense(license: QrsLicense | undefined): this {
    this.license = license;
    return this;
  }

  /** Connection settings for a client that should be let in: host, port, TLS files, X-Qlik-User. */
  clientOptions(): QrsClientOptions {
    const certs = this.options.certificates;
    return {
      host: '127.0.0.1',
      port: this.port,
      useSSL: this.tls,
      rejectUnauthorized: true,
      headers: [{ name: 'X-Qlik-User', value: 'UserDirectory=Internal;UserId=sa_repository' }],
      certFiles:
        this.tls && certs
          ? { cert: certs.clientCert, key: certs.clientKey, ca: certs.ca }
          : undefined,
    };
  }

  override clearRecords(): void {
    super.clearRecords();
    this.startedTasks.length = 0;
    this.tlsRejections = 0;
  }

  protected record(req: IncomingMessage, body: Buffer): RecordedRequest {
    const url = new URL(req.url ?? '/', 'http://fake-qrs');
    return {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      url: req.url ?? '',
      headers: req.headers,
      body: body.toString('utf8'),
      endpoint: routeOf(req.method ?? '', url.pathname.toLowerCase()),
    };
  }

  protected answer(request: RecordedRequest, res: ServerResponse): void {
    const xrfkey = request.query.xrfkey;
    if (
      xrfkey === undefined ||
      xrfkey.length !== 16 ||
      request.headers['x-qlik-xrfkey'] !== xrfkey
    ) {
      return text(res, 403, 'XSRF prevention check failed. Possible XSRF discovered.');
    }
    if (!request.headers['x-qlik-user']) return text(res, 401, 'No X-Qlik-User header.');
    if (request.endpoint === undefined) return text(res, 404, 'Not found');

    const injected = this.injectedStatus(request.endpoint);
    if (injected !== undefined) return text(res, injected, `Injected failure ${injected}`);

    switch (request.endpoint) {
      case '/qrs/task':
        return this.filtered(request, res, this.tasks, condensedTask);
      case '/qrs/task/full':
        return this.filtered(request, res, this.tasks, (task) => task);
      case '/qrs/app/full':
        return this.filtered(request, res, this.apps, (app) => app);
      case '/qrs/task/{id}/start': {
        const id = START_PATH.exec(request.path.toLowerCase())?.[1] ?? '';
        if (!this.tasks.has(id)) return text(res, 404, 'Not found');
        this.startedTasks.push(id);
        res.writeHead(204).end();
        return;
      }
      case '/qrs/license':
        if (!this.license) return text(res, 404, 'No license');
        return json(res, this.license);
    }
  }

  private filtered<T, R>(
    request: RecordedRequest,
    res: ServerResponse,
    objects: Map<string, T>,
    shape: (object: T) => R,
  ): void {
    const filter = request.query.filter;
    if (filter === undefined) return json(res, [...objects.values()].map(shape));
    const id = FILTER_BY_ID.exec(filter)?.[1];
    if (id === undefined) return text(res, 400, `Unsupported filter: ${filter}`);
    const match = objects.get(id.toLowerCase());
    json(res, match === undefined ? [] : [shape(match)]);
  }
}

function routeOf(method: string, path: string): QrsEndpoint | undefined {
  if (method === 'POST' && START_PATH.test(path)) return '/qrs/task/{id}/start';
  if (method !== 'GET') return undefined;
  const known: QrsEndpoint[] = ['/qrs/task', '/qrs/task/full', '/qrs/app/full', '/qrs/license'];
  return known.find((endpoint) => endpoint === path);
}

/** The fields `GET /qrs/task` (without `/full`) returns. */
function condensedTask(task: QrsTaskFull): Record<string, unknown> {
  const operational = task.operational as Record<string, unknown> | undefined;
  return {
    id: task.id,
    operational: operational && {
      id: operational.id,
      nextExecution: operational.nextExecution,
      privileges: null,
    },
    name: task.name,
    taskType: task.taskType,
    enabled: task.enabled,
    privileges: null,
  };
}

function json(res: ServerResponse, body: unknown): void {
  res
    .writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
}
