import http from 'node:http';
import https from 'node:https';
import { RequestFailure, requestText } from '../http/request-text.js';
import type { ClientCertificates } from './client-certificates.js';
import { QrsError } from './qrs-error.js';
import type { QrsEndpoint } from './repository-service.js';
import { newXrfKey } from './xrfkey.js';

export interface HeaderPair {
  readonly name: string;
  readonly value: string;
}

export interface QrsTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly useSSL: boolean;
  readonly rejectUnauthorized: boolean;
  /** Sent on every request, e.g. `X-Qlik-User`. */
  readonly headers: readonly HeaderPair[];
  /** Client certificate, key and CA; without them the server must not ask for a certificate. */
  readonly certificates?: ClientCertificates;
  readonly timeoutMs: number;
  /** Sockets kept per host; matches the client's concurrency so no request waits for a socket. */
  readonly maxSockets: number;
}

export interface QrsRequest {
  readonly method: 'GET' | 'POST';
  readonly endpoint: QrsEndpoint;
  /** Path and query without the xrfkey, e.g. `/qrs/task?filter=id%20eq%20…`. */
  readonly target: string;
  readonly body?: string;
}

export interface QrsHttpResponse {
  readonly status: number;
  readonly body: string;
}

const OWN_HEADERS = new Set(['x-qlik-xrfkey', 'content-type', 'content-length']);

/** Bigger answers are refused rather than buffered: no endpoint the relay calls comes close. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * Sends one request to the Repository Service and reads the whole answer. Every request gets a
 * fresh xrfkey, in the `X-Qlik-Xrfkey` header and the `xrfkey` query parameter alike. Any status
 * is returned; only a time-out or a broken connection throws (`QrsError` `timeout`/`network`).
 * A request that met a kept-alive socket the server had closed is sent again (`requestText`).
 */
export class QrsTransport {
  private readonly agent: http.Agent;
  private readonly send: typeof http.request;

  constructor(private readonly options: QrsTransportOptions) {
    if (options.useSSL) {
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: options.maxSockets,
        rejectUnauthorized: options.rejectUnauthorized,
        ...options.certificates,
      });
      this.send = https.request;
    } else {
      this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
      this.send = http.request;
    }
  }

  async exchange(request: QrsRequest): Promise<QrsHttpResponse> {
    const xrfkey = newXrfKey();
    const separator = request.target.includes('?') ? '&' : '?';
    const headers: Record<string, string> = {};
    for (const { name, value } of this.options.headers) {
      if (!OWN_HEADERS.has(name.toLowerCase())) headers[name] = value; // ours cannot be replaced
    }
    headers['X-Qlik-Xrfkey'] = xrfkey;
    headers['Content-Type'] = 'application/json';
    if (request.body !== undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(request.body));
    }
    const described = `${request.method} ${request.target}`;
    try {
      return await requestText(
        () =>
          this.send({
            host: this.options.host,
            port: this.options.port,
            method: request.method,
            path: `${request.target}${separator}xrfkey=${xrfkey}`,
            headers,
            agent: this.agent,
          }),
        {
          timeoutMs: this.options.timeoutMs,
          maxResponseBytes: MAX_RESPONSE_BYTES,
          ...(request.body === undefined ? {} : { body: request.body }),
        },
      );
    } catch (error) {
      if (!(error instanceof RequestFailure)) throw error;
      throw new QrsError(`QRS ${described} ${error.message}`, {
        kind: error.kind === 'too-large' ? 'invalid-response' : error.kind,
        endpoint: request.endpoint,
        request: described,
        cause: error.cause,
      });
    }
  }

  /** Closes kept-alive sockets so that the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}
