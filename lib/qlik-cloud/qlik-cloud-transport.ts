import https from 'node:https';
import type { CloudEndpoint } from './qlik-cloud-api.js';
import { QlikCloudApiError } from './qlik-cloud-error.js';

export interface QlikCloudTransportOptions {
  /** `https://tenant.region.qlikcloud.com`; a path on it is kept as the base. */
  readonly tenantUrl: URL;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  readonly timeoutMs: number;
  /** Sockets kept open; matches the client's concurrency so no request waits for a socket. */
  readonly maxSockets: number;
  /** PEM of an extra CA; without it the system CAs are used. */
  readonly ca?: Buffer;
  readonly rejectUnauthorized: boolean;
}

export interface CloudRequest {
  readonly endpoint: CloudEndpoint;
  /** Path with query, e.g. `/api/v1/reloads/670e…`. */
  readonly path: string;
  readonly accept: 'application/json' | 'text/plain';
}

export interface CloudHttpResponse {
  readonly status: number;
  readonly body: string;
}

const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** A request that died on a reused kept-alive socket before any answer; sent again. */
class StaleSocketError extends QlikCloudApiError {
  constructor(endpoint: CloudEndpoint, cause: unknown) {
    super('kept-alive socket was closed by the server', { kind: 'network', endpoint, cause });
  }
}

/** Bigger answers are refused rather than buffered: a script log of this size is no alert. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Sends one GET to the tenant and reads the whole answer. Any status is returned; only a time-out
 * or a broken connection throws (`QlikCloudApiError` `timeout`/`network`). The API key never
 * appears in an error message.
 */
export class QlikCloudTransport {
  private readonly agent: https.Agent;
  private readonly basePath: string;

  constructor(private readonly options: QlikCloudTransportOptions) {
    // Idle kept-alive sockets are unref'd by Node, so they never hold the process open.
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      rejectUnauthorized: options.rejectUnauthorized,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    this.basePath = options.tenantUrl.pathname.replace(/\/+$/, '');
  }

  /**
   * A kept-alive socket the server closed while it sat idle fails the next request with a reset
   * before any answer; that request is sent once more on a fresh socket (GETs are idempotent).
   */
  async exchange(request: CloudRequest): Promise<CloudHttpResponse> {
    try {
      return await this.exchangeOnce(request);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      return this.exchangeOnce(request);
    }
  }

  private exchangeOnce(request: CloudRequest): Promise<CloudHttpResponse> {
    const described = `GET ${request.path}`;
    const failure = (kind: 'timeout' | 'network', message: string, cause?: unknown) =>
      new QlikCloudApiError(`Qlik Cloud ${described} ${message}`, {
        kind,
        endpoint: request.endpoint,
        cause,
      });
    return new Promise<CloudHttpResponse>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: CloudHttpResponse | QlikCloudApiError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof QlikCloudApiError) reject(outcome);
        else resolve(outcome);
      };
      const { tenantUrl } = this.options;
      const req = https.request({
        host: tenantUrl.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: tenantUrl.port === '' ? 443 : Number(tenantUrl.port),
        method: 'GET',
        path: `${this.basePath}${request.path}`,
        headers: {
          Authorization: `Bearer ${this.options.apiKey}`,
          Accept: request.accept,
        },
        agent: this.agent,
      });
      const timer = setTimeout(() => {
        settle(failure('timeout', `timed out after ${this.options.timeoutMs} ms`));
        req.destroy();
      }, this.options.timeoutMs);
      let answered = false;
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (!answered && req.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '')) {
          settle(new StaleSocketError(request.endpoint, error));
          return;
        }
        settle(failure('network', `failed: ${error.message}`, error));
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            settle(failure('network', `answered more than ${MAX_RESPONSE_BYTES} bytes`));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => settle(failure('network', `failed: ${error.message}`, error)));
        res.on('close', () => {
          if (!res.complete) settle(failure('network', 'failed: connection closed mid-answer'));
        });
      });
      req.end();
    });
  }

  /** Closes kept-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
