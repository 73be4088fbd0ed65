import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

export interface RestRequest {
  method?: string;
  /** A string or an object (sent as JSON), or raw bytes. */
  body?: string | Buffer | object;
  headers?: Record<string, string>;
  /** PEM of the CA that signed an HTTPS server's certificate. */
  ca?: Buffer;
}

/**
 * One HTTP(S) request on a fresh connection, with the body sent exactly as given: fetch cannot
 * trust a test CA or send bytes that are not UTF-8 as JSON.
 */
export function restRequest(url: string, options: RestRequest = {}): Promise<RestResponse> {
  const { method = 'PUT', body, ca } = options;
  const payload =
    body === undefined || typeof body === 'string' || Buffer.isBuffer(body)
      ? body
      : JSON.stringify(body);
  const headers: Record<string, string> = {
    ...(payload !== undefined && {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
    }),
    ...options.headers,
  };
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, agent: false, ...(ca && { ca }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The URL of the publish endpoint on a local port. */
export function publishUrl(port: number, scheme: 'http' | 'https' = 'http'): string {
  return `${scheme}://127.0.0.1:${port}/v4/mqttpublishmessage`;
}
