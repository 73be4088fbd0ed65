import type { ClientRequest } from 'node:http';

/** A whole answer, whatever its status. */
export interface TextResponse {
  readonly status: number;
  readonly body: string;
}

export type RequestFailureKind = 'timeout' | 'network' | 'too-large';

/** Why a request got no whole answer; the clients turn it into their own error type. */
export class RequestFailure extends Error {
  constructor(
    readonly kind: RequestFailureKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RequestFailure';
  }
}

export interface RequestTextOptions {
  readonly timeoutMs: number;
  /** Bigger answers are refused rather than buffered. */
  readonly maxResponseBytes: number;
  readonly body?: string;
}

const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** Died on a reused kept-alive socket before any answer: the server closed it while it was idle. */
class StaleSocket extends RequestFailure {}

/**
 * Sends the request `open` makes and reads the whole answer as UTF-8 text, of any status. A
 * time-out, a broken connection or an answer over the size limit rejects with `RequestFailure`.
 * A request that dies on a kept-alive socket the server had closed while it sat idle, before any
 * answer, never reached the server's application: it is sent once more, on a fresh socket.
 */
export async function requestText(
  open: () => ClientRequest,
  options: RequestTextOptions,
): Promise<TextResponse> {
  try {
    return await requestOnce(open, options);
  } catch (error) {
    if (!(error instanceof StaleSocket)) throw error;
    return requestOnce(open, options);
  }
}

function requestOnce(
  open: () => ClientRequest,
  options: RequestTextOptions,
): Promise<TextResponse> {
  return new Promise<TextResponse>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: TextResponse | RequestFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof RequestFailure) reject(outcome);
      else resolve(outcome);
    };
    const req = open();
    const timer = setTimeout(() => {
      settle(new RequestFailure('timeout', `timed out after ${options.timeoutMs} ms`));
      req.destroy();
    }, options.timeoutMs);
    let answered = false;

    req.on('error', (error: NodeJS.ErrnoException) => {
      const stale = !answered && req.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '');
      const Failure = stale ? StaleSocket : RequestFailure;
      settle(new Failure('network', `failed: ${error.message}`, { cause: error }));
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxResponseBytes) {
          settle(
            new RequestFailure('too-large', `answered more than ${options.maxResponseBytes} bytes`),
          );
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (error) =>
        settle(new RequestFailure('network', `failed: ${error.message}`, { cause: error })),
      );
      res.on('close', () => {
        if (!res.complete) {
          settle(new RequestFailure('network', 'failed: connection closed mid-answer'));
        }
      });
    });
    req.end(options.body);
  });
}
