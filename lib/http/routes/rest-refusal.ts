import type { DropReason } from '../../events.js';

/** HTTP status codes the REST API refuses a message with. */
export type RefusalStatus = 400 | 403 | 405 | 413 | 415 | 429 | 503;

/**
 * A request the REST API refuses, thrown by a route and answered by the server's error handler
 * as `{ statusCode, error, message, reason }`.
 */
export class RestRefusal extends Error {
  constructor(
    readonly statusCode: RefusalStatus,
    readonly reason: DropReason | 'timeout',
    message: string,
    /**
     * Counted in `relay_dropped_total{component="rest"}`; false when the sink counted it already,
     * or when the message was not dropped (a time-out: it may still be delivered).
     */
    readonly countAsDrop = true,
  ) {
    super(message);
    this.name = 'RestRefusal';
  }
}
