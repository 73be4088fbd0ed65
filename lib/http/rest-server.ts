import { readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import { PUBLISH_MESSAGE_FORMATS } from './routes/mqtt-publish-message.js';
import { RestRefusal } from './routes/rest-refusal.js';

/** PEM files of the HTTPS server (`Butler.restServerConfig.tls`). */
export interface RestTlsFiles {
  cert: string;
  key: string;
  /** '' or null = none. */
  ca?: string | null;
}

/** Adds routes to the server before it listens. */
export type RestRoute = (app: FastifyInstance) => void;

export interface RestServerOptions {
  host: string;
  /** 0 picks a free port; `RestServer.port` tells which. */
  port: number;
  /** Serve HTTPS with these files; plain HTTP when absent. */
  tls?: RestTlsFiles;
  bodyLimitBytes: number;
  /** Per client IP address; `max` 0 = no limit. */
  rateLimit: { max: number; timeWindowMs: number };
  routes: readonly RestRoute[];
  metrics: RelayMetrics;
  log: Logger;
}

export interface RestServer {
  /** The port actually bound. */
  port: number;
  /** Stops taking requests and waits for those in progress. */
  close(): Promise<void>;
}

/** At most one `rest.refused` line per reason this often; every refusal is counted. */
const REFUSAL_WARNING_INTERVAL_MS = 10_000;

/**
 * The REST API (Butler's `restServerConfig`): fastify with JSON-schema validation, a body limit,
 * a rate limit per client IP address and optional TLS. Every answer is counted by route and
 * status; every refused message is counted in `relay_dropped_total{component="rest"}` and
 * reported in throttled warn lines.
 */
export async function startRestServer(options: RestServerOptions): Promise<RestServer> {
  const { metrics, log } = options;
  const app = Fastify({
    https: options.tls ? await readTlsFiles(options.tls) : null,
    bodyLimit: options.bodyLimitBytes,
    logger: false,
    // Butler's Fastify turns 42 into "42"; here a wrong type is a 400, so what is published is what was sent.
    ajv: { customOptions: { coerceTypes: false, formats: PUBLISH_MESSAGE_FORMATS } },
  }) as unknown as FastifyInstance; // the routes need no more than the common interface of HTTP and HTTPS
  const drops = new ThrottledDropReporter({
    log,
    metrics,
    event: 'rest.refused',
    intervalMs: REFUSAL_WARNING_INTERVAL_MS,
  });

  acceptStrictUtf8Json(app);
  app.addHook('onResponse', async (request, reply) => {
    metrics.restRequests.inc({
      route: request.routeOptions.url ?? 'none',
      status: String(reply.statusCode),
    });
  });
  app.setErrorHandler<FastifyError | RestRefusal>(async (error, request, reply) => {
    const refusal = refusalOf(error);
    if (refusal === undefined) {
      log.error(
        { event: 'rest.error', err: error, method: request.method, url: request.url },
        'REST request failed',
      );
      return reply.code(500).send({
        statusCode: 500,
        error: STATUS_CODES[500],
        message: 'the request failed',
      });
    }
    if (refusal.countAsDrop && refusal.reason !== 'timeout') {
      drops.report({
        component: 'rest',
        reason: refusal.reason,
        sender: request.ip,
        detail: `${refusal.statusCode} ${request.method} ${request.url}: ${refusal.message}`,
      });
    } else if (refusal.reason === 'timeout') {
      log.warn({ event: 'rest.unconfirmed', sender: request.ip }, refusal.message);
    }
    if (refusal.statusCode === 405) void reply.header('Allow', 'PUT, POST');
    const code = 'code' in error && typeof error.code === 'string' ? { code: error.code } : {};
    return reply.code(refusal.statusCode).send({
      statusCode: refusal.statusCode,
      ...code,
      error: STATUS_CODES[refusal.statusCode],
      message: refusal.message,
      reason: refusal.reason,
    });
  });

  if (options.rateLimit.max > 0) {
    // Registered before the routes: the plugin hooks into each route as it is added.
    await app.register(rateLimit, {
      max: options.rateLimit.max,
      timeWindow: options.rateLimit.timeWindowMs,
    });
  }
  for (const route of options.routes) route(app);

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    throw listenError(error, options);
  }
  const { address, port } = app.server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  log.info(
    { event: 'rest.listening', address, port, tls: options.tls !== undefined },
    `REST API listening on ${scheme}://${address}:${port}`,
  );

  return {
    port,
    close: async () => {
      await app.close();
      drops.flush();
    },
  };
}

/** A refusal for what the handler threw or fastify and its plugins raised; undefined for a fault. */
function refusalOf(error: FastifyError | RestRefusal): RestRefusal | undefined {
  if (error instanceof RestRefusal) return error;
  if (error.validation) return new RestRefusal(400, 'malformed', error.message);
  switch (error.statusCode) {
    case 413:
      return new RestRefusal(413, 'too-large', error.message);
    case 415:
      return new RestRefusal(415, 'malformed', error.message);
    case 429:
      return new RestRefusal(429, 'rate-limit', error.message);
    default:
      // Anything else fastify answers with a 4xx is a request it could not read (bad JSON, …).
      return error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? new RestRefusal(400, 'malformed', error.message)
        : undefined;
  }
}

/**
 * JSON bodies must be valid UTF-8: fastify's own parser would turn bad bytes into U+FFFD and the
 * subscriber would receive something other than what was sent.
 */
function acceptStrictUtf8Json(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new RestRefusal(400, 'malformed', 'the body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

async function readTlsFiles(
  files: RestTlsFiles,
): Promise<{ cert: Buffer; key: Buffer; ca?: Buffer }> {
  const read = async (what: string, path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new Error(
        `cannot read the REST API's TLS ${what} file ${JSON.stringify(path)}: ${(error as Error).message}`,
      );
    }
  };
  const [cert, key] = await Promise.all([read('certificate', files.cert), read('key', files.key)]);
  return files.ca ? { cert, key, ca: await read('CA', files.ca) } : { cert, key };
}

function listenError(error: unknown, options: RestServerOptions): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${options.host}:${options.port}`;
  if (code === 'EADDRINUSE') {
    return new Error(
      `the REST API cannot listen on ${where}: the address is in use (Butler.restServerConfig.serverPort)`,
    );
  }
  return new Error(`the REST API cannot listen on ${where}: ${(error as Error).message}`);
}
