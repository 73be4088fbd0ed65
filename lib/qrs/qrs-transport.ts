import http from 'node:http';
import https from 'node:https';
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

  exchange(request: QrsRequest): Promise<QrsHttpResponse> {
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

    return new Promise<QrsHttpResponse>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: QrsHttpResponse | QrsError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof QrsError) reject(outcome);
        else resolve(outcome);
      };
      const failure = (
        kind: 'timeout' | 'network' | 'invalid-response',
        message: string,
        cause?: unknown,
      ) =>
        new QrsError(`QRS ${described} ${message}`, {
          kind,
          endpoint: request.endpoint,
          request: described,
          cause,
        });

      const req = this.send({
        host: this.options.host,
        port: this.options.port,
        method: request.method,
        path: `${request.target}${separator}xrfkey=${xrfkey}`,
        headers,
        agent: this.agent,
      });
      const timer = setTimeout(() => {
        settle(failure('timeout', `timed out after ${this.options.timeoutMs} ms`));
        req.destroy();
      }, this.options.timeoutMs);

      req.on('error', (error) => settle(failure('network', `failed: ${error.message}`, error)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            settle(failure('invalid-response', `answered more than ${MAX_RESPONSE_BYTES} bytes`));
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
      req.end(request.body);
    });
  }

  /** Closes kept-alive sockets so that the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}
