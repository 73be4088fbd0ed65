import type { CloudEndpoint } from './qlik-cloud-api.js';

/**
 * - `timeout`: no complete answer within the time-out.
 * - `network`: connection refused or reset, DNS or TLS failure.
 * - `http`: an error status (401: the API key is wrong or expired).
 * - `invalid-response`: the body is not the JSON shape the endpoint promises.
 * - `rejected`: the client did not send the request (its queue is full, or it was closed).
 */
export type QlikCloudErrorKind = 'timeout' | 'network' | 'http' | 'invalid-response' | 'rejected';

export interface QlikCloudErrorDetails {
  readonly kind: QlikCloudErrorKind;
  readonly endpoint: CloudEndpoint;
  readonly status?: number;
  readonly cause?: unknown;
}

/** Why a Qlik Cloud REST call failed. */
export class QlikCloudApiError extends Error {
  override readonly name = 'QlikCloudApiError';
  readonly kind: QlikCloudErrorKind;
  readonly endpoint: CloudEndpoint;
  readonly status: number | undefined;

  constructor(message: string, details: QlikCloudErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.endpoint = details.endpoint;
    this.status = details.status;
  }

  /** Worth another try: the API may be back or less busy. A 4xx or a bad body will not change. */
  get retryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    return this.kind === 'http' && this.status !== undefined && this.status >= 500;
  }
}
