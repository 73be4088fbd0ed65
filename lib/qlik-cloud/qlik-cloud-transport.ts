import https from 'node:https';
import type { CloudEndpoint } from './qlik-cloud-api.js';
import { QlikCloudApiError } from './qlik-cloud-error.js';
import { RequestFailure, requestText } from '../http/request-text.js';

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

  /** A request that met a kept-alive socket the server had closed is sent again (`requestText`). */
  async exchange(request: CloudRequest): Promise<CloudHttpResponse> {
    const { tenantUrl } = this.options;
    try {
      return await requestText(
        () =>
          https.request({
            host: tenantUrl.hostname.replace(/^\[(.*)\]$/, '$1'),
            port: tenantUrl.port === '' ? 443 : Number(tenantUrl.port),
            method: 'GET',
            path: `${this.basePath}${request.path}`,
            headers: {
              Authorization: `Bearer ${this.options.apiKey}`,
              Accept: request.accept,
            },
            agent: this.agent,
          }),
        { timeoutMs: this.options.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES },
      );
    } catch (error) {
      if (!(error instanceof RequestFailure)) throw error;
      throw new QlikCloudApiError(`Qlik Cloud GET ${request.path} ${error.message}`, {
        kind: error.kind === 'too-large' ? 'network' : error.kind,
        endpoint: request.endpoint,
        cause: error.cause,
      });
    }
  }

  /** Closes kept-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
