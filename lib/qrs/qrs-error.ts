import type { QrsEndpoint } from './repository-service.js';

/**
 * - `timeout`: no complete answer within the time-out.
 * - `network`: connection refused or reset, DNS or TLS failure.
 * - `http`: the service answered with a status the call does not accept.
 * - `invalid-response`: the body is not the JSON shape the endpoint promises.
 * - `rejected`: the client did not send the request (its queue is full, or it was closed).
 */
export type QrsErrorKind = 'timeout' | 'network' | 'http' | 'invalid-response' | 'rejected';

export interface QrsErrorDetails {
  readonly kind: QrsErrorKind;
  readonly endpoint: QrsEndpoint;
  /** Method and path with query, without the xrfkey, e.g. `GET /qrs/task?filter=id%20eq%20…`. */
  readonly request: string;
  readonly status?: number;
  /** Requests sent before giving up; 1 when absent. */
  readonly attempts?: number;
  readonly cause?: unknown;
}

/** Why a Repository Service call failed. */
export class QrsError extends Error {
  override readonly name = 'QrsError';
  readonly kind: QrsErrorKind;
  readonly endpoint: QrsEndpoint;
  readonly request: string;
  readonly status: number | undefined;
  readonly attempts: number;

  constructor(
    message: string,
    private readonly details: QrsErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.endpoint = details.endpoint;
    this.request = details.request;
    this.status = details.status;
    this.attempts = details.attempts ?? 1;
  }

  /** The same failure, noting that it is the last of `attempts` requests. */
  afterAttempts(attempts: number): QrsError {
    if (attempts <= 1) return this;
    return new QrsError(`${this.message} (after ${attempts} attempts)`, {
      ...this.details,
      attempts,
    });
  }
}
