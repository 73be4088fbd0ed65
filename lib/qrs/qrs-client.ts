import { RequestSlots } from '../http/request-slots.js';
import { withRetries } from '../http/with-retries.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { readClientCertificates, type ClientCertificateFiles } from './client-certificates.js';
import { QrsError } from './qrs-error.js';
import {
  isAppFull,
  isLicense,
  isTask,
  isTaskFull,
  parseList,
  parseObject,
} from './qrs-response.js';
import {
  QrsTransport,
  type HeaderPair,
  type QrsHttpResponse,
  type QrsRequest,
} from './qrs-transport.js';
import type { QrsAppFull, QrsLicense, QrsTask, QrsTaskFull } from './qrs-types.js';
import type { QrsEndpoint, RepositoryService, StartTaskResult } from './repository-service.js';
import { TtlCache } from './ttl-cache.js';

export interface QrsRetryOptions {
  /** Requests in all, the first included; 1 means no retry. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface QrsClientOptions {
  readonly host: string;
  /** 4242 on a standard Sense install. */
  readonly port: number;
  readonly useSSL: boolean;
  readonly rejectUnauthorized: boolean;
  /** Sent on every request, e.g. `{ name: 'X-Qlik-User', value: 'UserDirectory=Internal;UserId=sa_repository' }`. */
  readonly headers: readonly HeaderPair[];
  /** Read once, here; only used with `useSSL`. */
  readonly certFiles?: ClientCertificateFiles;
  /** Per request; default 30000 as in Butler. */
  readonly timeoutMs?: number;
  /** Requests on the wire at once; default 10. */
  readonly maxConcurrent?: number;
  /** Requests waiting for a free slot; beyond it a call fails at once (`rejected`). Default 1000. */
  readonly maxQueued?: number;
  /** For GET only; default 3 attempts, 200 ms doubling up to 5 s, with jitter. */
  readonly retries?: QrsRetryOptions;
  /** How long task/full and app/full answers are reused; default 60000, 0 disables. */
  readonly cacheTtlMs?: number;
  /** Most cached objects per kind; default 500. */
  readonly cacheMaxEntries?: number;
  readonly log?: Logger;
  readonly metrics?: RelayMetrics;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_RETRIES: QrsRetryOptions = { attempts: 3, initialDelayMs: 200, maxDelayMs: 5000 };

/**
 * The Repository Service over HTTPS with a client certificate (or plain HTTP), as Butler calls it.
 * Bounded concurrency (an actor whose slots are the requests on the wire), time-outs, retries with
 * back-off for GET only, and a short-lived cache for the task and app lookups that task events
 * repeat in bursts.
 */
export class QrsClient implements RepositoryService {
  private readonly transport: QrsTransport;
  private readonly slots: RequestSlots;
  private readonly retries: QrsRetryOptions;
  private readonly log: Logger;
  private readonly metrics: RelayMetrics | undefined;
  private readonly taskFullCache: TtlCache<QrsTaskFull | undefined>;
  private readonly appFullCache: TtlCache<QrsAppFull | undefined>;

  constructor(options: QrsClientOptions) {
    const maxConcurrent = Math.max(1, options.maxConcurrent ?? 10);
    this.log = (options.log ?? silentLogger()).child({ component: 'qrs' });
    this.metrics = options.metrics;
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.transport = new QrsTransport({
      host: options.host,
      port: options.port,
      useSSL: options.useSSL,
      rejectUnauthorized: options.rejectUnauthorized,
      headers: options.headers,
      certificates:
        options.useSSL && options.certFiles ? readClientCertificates(options.certFiles) : undefined,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxSockets: maxConcurrent,
    });
    this.slots = new RequestSlots({
      name: 'qrs-client',
      concurrency: maxConcurrent,
      maxQueued: options.maxQueued ?? 1000,
      log: this.log,
    });
    const cache = {
      ttlMs: options.cacheTtlMs ?? 60_000,
      maxEntries: options.cacheMaxEntries ?? 500,
    };
    this.taskFullCache = new TtlCache(cache);
    this.appFullCache = new TtlCache(cache);
  }

  async getTask(id: string): Promise<QrsTask | undefined> {
    if (!GUID.test(id)) return undefined; // no task has such an id; never sent into a filter
    const request = filterById('/qrs/task', id);
    const response = await this.getWithRetries(request, isLookupStatus);
    return response.status === 404 ? undefined : parseList(response.body, request, isTask)[0];
  }

  getTaskFull(id: string): Promise<QrsTaskFull | undefined> {
    return this.getCached(this.taskFullCache, '/qrs/task/full', id, isTaskFull);
  }

  getAppFull(id: string): Promise<QrsAppFull | undefined> {
    return this.getCached(this.appFullCache, '/qrs/app/full', id, isAppFull);
  }

  /** Sent once: starting a task is not idempotent, so a failure is reported, never retried. */
  async startTask(id: string): Promise<StartTaskResult> {
    if (!GUID.test(id)) return { started: false, reason: `not a task id: ${JSON.stringify(id)}` };
    const request: QrsRequest = {
      method: 'POST',
      endpoint: '/qrs/task/{id}/start',
      target: `/qrs/task/${id}/start`,
      body: '{}',
    };
    try {
      await this.sendOnce(request, (status) => status === 204);
      return { started: true };
    } catch (error) {
      const failure = asQrsError(error, request);
      this.log.warn(
        { event: 'qrs.start-failed', taskId: id, kind: failure.kind, status: failure.status },
        failure.message,
      );
      return failure.status === undefined
        ? { started: false, reason: failure.message }
        : { started: false, status: failure.status, reason: failure.message };
    }
  }

  async getLicense(): Promise<QrsLicense> {
    const request: QrsRequest = { method: 'GET', endpoint: '/qrs/license', target: '/qrs/license' };
    const response = await this.getWithRetries(request, (status) => status === 200);
    return parseObject(response.body, request, isLicense);
  }

  /** Refuses new calls, fails queued ones and closes the sockets. */
  close(): void {
    this.slots.close();
    this.transport.close();
  }

  /** One object by id, from `cache` when it was found within the TTL; "not found" is not kept. */
  private getCached<T>(
    cache: TtlCache<T | undefined>,
    endpoint: QrsEndpoint,
    id: string,
    isItem: (value: unknown) => value is T,
  ): Promise<T | undefined> {
    if (!GUID.test(id)) return Promise.resolve(undefined); // never sent into a filter
    return cache.getOrLoad(
      id.toLowerCase(), // GUIDs compare case-insensitively
      () => this.getExactlyOne(endpoint, id, isItem),
      isFound,
    );
  }

  private async getExactlyOne<T>(
    endpoint: QrsEndpoint,
    id: string,
    isItem: (value: unknown) => value is T,
  ): Promise<T | undefined> {
    const request = filterById(endpoint, id);
    const response = await this.getWithRetries(request, isLookupStatus);
    if (response.status === 404) return undefined;
    const items = parseList(response.body, request, isItem);
    if (items.length > 1) {
      this.log.warn(
        { event: 'qrs.ambiguous', endpoint, id, count: items.length },
        `${endpoint} matched ${items.length} objects for id ${id}; using none`,
      );
    }
    return items.length === 1 ? items[0] : undefined;
  }

  private getWithRetries(
    request: QrsRequest,
    accept: (status: number) => boolean,
  ): Promise<QrsHttpResponse> {
    return withRetries(() => this.sendOnce(request, accept), {
      attempts: this.retries.attempts,
      backoff: this.retries,
      asError: (error) => asQrsError(error, request),
      retryable: isRetryable,
      giveUp: (failure, attempts) => failure.afterAttempts(attempts),
      onRetry: (failure, attempt, delayMs) =>
        this.log.warn(
          {
            event: 'qrs.retry',
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

  /** One request through a concurrency slot; resolves only with an accepted status. */
  private sendOnce(
    request: QrsRequest,
    accept: (status: number) => boolean,
  ): Promise<QrsHttpResponse> {
    const count = (outcome: string): void => {
      this.metrics?.qrsRequests.inc({ endpoint: request.endpoint, outcome });
    };
    return this.slots.run(
      async () => {
        const stopTimer = this.metrics?.qrsRequestSeconds.startTimer({
          endpoint: request.endpoint,
        });
        try {
          const response = await this.transport.exchange(request);
          if (!accept(response.status)) throw statusError(request, response);
          count(response.status === 404 ? 'not-found' : 'ok');
          return response;
        } catch (error) {
          const failure = asQrsError(error, request);
          count(failure.kind);
          throw failure;
        } finally {
          stopTimer?.();
        }
      },
      (reason, cause) => {
        count('rejected');
        return new QrsError(`QRS ${request.method} ${request.target} not sent: ${reason}`, {
          kind: 'rejected',
          endpoint: request.endpoint,
          request: `${request.method} ${request.target}`,
          cause,
        });
      },
    );
  }
}

function filterById(endpoint: QrsEndpoint, id: string): QrsRequest {
  return {
    method: 'GET',
    endpoint,
    target: `${endpoint}?filter=${encodeURIComponent(`id eq ${id}`)}`,
  };
}

/** A filtered lookup answers 200 with a (possibly empty) list; 404 also means "no such object". */
function isLookupStatus(status: number): boolean {
  return status === 200 || status === 404;
}

function isFound<T>(value: T | undefined): boolean {
  return value !== undefined;
}

/** Worth another try: the service may be back or less busy. A 4xx or a bad body will not change. */
function isRetryable(error: QrsError): boolean {
  if (error.kind === 'timeout' || error.kind === 'network') return true;
  return error.kind === 'http' && error.status !== undefined && error.status >= 500;
}

function statusError(request: QrsRequest, response: QrsHttpResponse): QrsError {
  const excerpt = response.body.trim().slice(0, 200);
  return new QrsError(
    `QRS ${request.method} ${request.target} answered HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
    {
      kind: 'http',
      endpoint: request.endpoint,
      request: `${request.method} ${request.target}`,
      status: response.status,
    },
  );
}

/** Anything else thrown on the way (a bug, not the service) is reported as a network failure. */
function asQrsError(error: unknown, request: QrsRequest): QrsError {
  if (error instanceof QrsError) return error;
  return new QrsError(`QRS ${request.method} ${request.target} failed: ${String(error)}`, {
    kind: 'network',
    endpoint: request.endpoint,
    request: `${request.method} ${request.target}`,
    cause: error,
  });
}
