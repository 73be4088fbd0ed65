import { RequestSlots } from '../http/request-slots.js';
import { withRetries } from '../http/with-retries.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { TtlCache } from '../qrs/ttl-cache.js';
import type { CloudApp, CloudEndpoint, CloudReload, QlikCloudApi } from './qlik-cloud-api.js';
import { QlikCloudApiError } from './qlik-cloud-error.js';
import {
  QlikCloudTransport,
  type CloudHttpResponse,
  type CloudRequest,
} from './qlik-cloud-transport.js';

export interface QlikCloudClientOptions {
  /** `https://tenant.region.qlikcloud.com`. */
  readonly tenantUrl: string;
  /** An API key (a JWT), sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** Per request; default 30000 as in Butler. */
  readonly timeoutMs?: number;
  /** Requests on the wire at once; default 5. */
  readonly maxConcurrent?: number;
  /** Requests waiting for a free slot; beyond it a call fails at once (`rejected`). Default 500. */
  readonly maxQueued?: number;
  /** Requests in all, the first included; default 2. Only time-outs, network errors and 5xx. */
  readonly attempts?: number;
  /** First retry delay, doubling up to 5 s, with jitter; default 200. */
  readonly retryDelayMs?: number;
  /** How long app metadata is reused; default 60000, 0 disables. */
  readonly cacheTtlMs?: number;
  /** PEM of an extra CA certificate. */
  readonly ca?: Buffer;
  /** Default true. */
  readonly rejectUnauthorized?: boolean;
  readonly log?: Logger;
  readonly metrics?: RelayMetrics;
}

/** Ids go into paths: anything else than these characters is no Qlik id and is never sent. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The Qlik Cloud REST API of one tenant over HTTPS with an API key. Bounded concurrency (an actor
 * whose slots are the requests on the wire), a time-out per request, retries with back-off for
 * failures that may pass, and a short-lived cache for app metadata, which a burst of reloads of
 * one app would otherwise ask for again and again.
 */
export class QlikCloudClient implements QlikCloudApi {
  private readonly transport: QlikCloudTransport;
  private readonly slots: RequestSlots;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly log: Logger;
  private readonly metrics: RelayMetrics | undefined;
  private readonly appCache: TtlCache<CloudApp | undefined>;

  constructor(options: QlikCloudClientOptions) {
    const maxConcurrent = Math.max(1, options.maxConcurrent ?? 5);
    this.log = (options.log ?? silentLogger()).child({ component: 'qlik-cloud' });
    this.metrics = options.metrics;
    this.attempts = Math.max(1, options.attempts ?? 2);
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.transport = new QlikCloudTransport({
      tenantUrl: new URL(options.tenantUrl),
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxSockets: maxConcurrent,
      ...(options.ca ? { ca: options.ca } : {}),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    });
    this.slots = new RequestSlots({
      name: 'qlik-cloud-client',
      concurrency: maxConcurrent,
      maxQueued: options.maxQueued ?? 500,
      log: this.log,
    });
    this.appCache = new TtlCache({ ttlMs: options.cacheTtlMs ?? 60_000, maxEntries: 500 });
  }

  getApp(appId: string): Promise<CloudApp | undefined> {
    if (!SAFE_ID.test(appId)) return Promise.resolve(undefined);
    return this.appCache.getOrLoad(
      appId,
      async () => {
        const body = await this.getJson({
          endpoint: '/api/v1/apps/{appId}',
          path: `/api/v1/apps/${appId}`,
          accept: 'application/json',
        });
        return body === undefined ? undefined : appOf(body, appId);
      },
      (app) => app !== undefined,
    );
  }

  async getReload(reloadId: string): Promise<CloudReload | undefined> {
    if (!SAFE_ID.test(reloadId)) return undefined;
    const body = await this.getJson({
      endpoint: '/api/v1/reloads/{reloadId}',
      path: `/api/v1/reloads/${reloadId}`,
      accept: 'application/json',
    });
    return body === undefined ? undefined : reloadOf(body, reloadId);
  }

  async getScriptLog(appId: string, reloadId: string): Promise<string | undefined> {
    if (!SAFE_ID.test(appId) || !SAFE_ID.test(reloadId)) return undefined;
    const response = await this.getWithRetries({
      endpoint: '/api/v1/apps/{appId}/reloads/logs/{reloadId}',
      path: `/api/v1/apps/${appId}/reloads/logs/${reloadId}`,
      accept: 'text/plain',
    });
    return response.status === 404 ? undefined : response.body;
  }

  /** Refuses new calls, fails queued ones and closes the sockets. */
  close(): void {
    this.slots.close();
    this.transport.close();
  }

  /** The parsed JSON body, or undefined on 404. */
  private async getJson(request: CloudRequest): Promise<Record<string, unknown> | undefined> {
    const response = await this.getWithRetries(request);
    if (response.status === 404) return undefined;
    try {
      const body: unknown = JSON.parse(response.body);
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        return body as Record<string, unknown>;
      }
    } catch {
      // reported below, as any other unexpected body
    }
    throw new QlikCloudApiError(`Qlik Cloud GET ${request.path} answered no JSON object`, {
      kind: 'invalid-response',
      endpoint: request.endpoint,
    });
  }

  private getWithRetries(request: CloudRequest): Promise<CloudHttpResponse> {
    return withRetries(() => this.sendOnce(request), {
      attempts: this.attempts,
      backoff: { initialDelayMs: this.retryDelayMs, maxDelayMs: 5_000 },
      asError: (error) => asCloudError(error, request),
      retryable: (failure) => failure.retryable,
      onRetry: (failure, attempt, delayMs) =>
        this.log.warn(
          {
            event: 'qlik-cloud.retry',
            endpoint: request.endpoint,
            kind: failure.kind,
            status: failure.status,
            attempt,
            delayMs,
          },
          `${failure.message}; retrying in ${delayMs} ms`,
        ),
    });
  }

  /** One request through a concurrency slot; resolves with 2xx or 404 only. */
  private sendOnce(request: CloudRequest): Promise<CloudHttpResponse> {
    const count = (outcome: string): void => {
      this.metrics?.cloudApiRequests.inc({ endpoint: request.endpoint, outcome });
    };
    return this.slots.run(
      async () => {
        try {
          const response = await this.transport.exchange(request);
          if (response.status === 404) {
            count('not-found');
          } else if (response.status < 200 || response.status > 299) {
            throw statusError(request, response);
          } else {
            count('ok');
          }
          return response;
        } catch (error) {
          const failure = asCloudError(error, request);
          count(failure.kind);
          throw failure;
        }
      },
      (reason, cause) => {
        count('rejected');
        return new QlikCloudApiError(`Qlik Cloud GET ${request.path} not sent: ${reason}`, {
          kind: 'rejected',
          endpoint: request.endpoint,
          cause,
        });
      },
    );
  }
}

function statusError(request: CloudRequest, response: CloudHttpResponse): QlikCloudApiError {
  const hint = response.status === 401 ? ' (check the API key)' : '';
  const excerpt = response.body.trim().slice(0, 200);
  return new QlikCloudApiError(
    `Qlik Cloud GET ${request.path} answered HTTP ${response.status}${hint}${excerpt ? `: ${excerpt}` : ''}`,
    { kind: 'http', endpoint: request.endpoint, status: response.status },
  );
}

/** Anything else thrown on the way (a bug, not the API) is reported as a network failure. */
function asCloudError(error: unknown, request: CloudRequest): QlikCloudApiError {
  if (error instanceof QlikCloudApiError) return error;
  return new QlikCloudApiError(`Qlik Cloud GET ${request.path} failed: ${String(error)}`, {
    kind: 'network',
    endpoint: request.endpoint,
    cause: error,
  });
}

function invalid(endpoint: CloudEndpoint, what: string): QlikCloudApiError {
  return new QlikCloudApiError(`Qlik Cloud ${endpoint} answered ${what}`, {
    kind: 'invalid-response',
    endpoint,
  });
}

/** `attributes` of the app answer, reduced to the fields the relay passes on. */
function appOf(body: Record<string, unknown>, appId: string): CloudApp {
  const attributes = body.attributes;
  if (typeof attributes !== 'object' || attributes === null) {
    throw invalid('/api/v1/apps/{appId}', 'no attributes');
  }
  const a = attributes as Record<string, unknown>;
  if (typeof a.name !== 'string') throw invalid('/api/v1/apps/{appId}', 'no app name');
  return {
    id: typeof a.id === 'string' ? a.id : appId,
    name: a.name,
    ...strings(a, ['description', 'ownerId', 'spaceId', 'lastReloadTime']),
    ...(typeof a.published === 'boolean' ? { published: a.published } : {}),
  };
}

/** The reload record without its `log`, which can be large and is fetched on its own. */
function reloadOf(body: Record<string, unknown>, reloadId: string): CloudReload {
  if (body.id !== undefined && body.id !== reloadId) {
    throw invalid(
      '/api/v1/reloads/{reloadId}',
      `reload ${JSON.stringify(body.id)} for ${reloadId}`,
    );
  }
  return {
    id: reloadId,
    ...strings(body, [
      'appId',
      'type',
      'status',
      'creationTime',
      'startTime',
      'endTime',
      'errorCode',
      'errorMessage',
    ]),
  };
}

function strings<K extends string>(
  source: Record<string, unknown>,
  keys: readonly K[],
): { [P in K]?: string } {
  const picked: { [P in K]?: string } = {};
  for (const key of keys) {
    const value = source[key];
    if (typeof value === 'string') picked[key] = value;
  }
  return picked;
}
