import type { DropReason } from '../../events.js';
import type { Acceptance } from '../../sinks/mqtt-publisher.js';

/** What a 201 promises: the message is in the outbox, or the broker has acknowledged it. */
export type ConfirmedAs = 'stored' | 'delivered';

export type Confirmation =
  | { readonly status: 'confirmed'; readonly as: ConfirmedAs }
  | { readonly status: 'refused'; readonly reason: DropReason }
  /** Not confirmed in time; the message may still be stored and delivered. */
  | { readonly status: 'timed-out' };

const TIMED_OUT = Symbol('timed out');

/**
 * Waits, at most `timeoutMs` in all, until a message the sink took is stored (`wanted: stored`)
 * or acknowledged by its broker (`wanted: delivered`). A message kept in a durable outbox at
 * shutdown counts as stored: it is sent at the next start.
 */
export async function confirmAcceptance(
  acceptance: Acceptance,
  wanted: ConfirmedAs,
  timeoutMs: number,
): Promise<Confirmation> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  const within = <T>(promise: Promise<T>): Promise<T | typeof TIMED_OUT> =>
    Promise.race([promise, deadline]);
  try {
    const accepted = await within(acceptance.accepted);
    if (accepted === TIMED_OUT) return { status: 'timed-out' };
    if (!accepted || wanted === 'delivered') {
      const outcome = await within(acceptance.outcome);
      if (outcome === TIMED_OUT) return { status: 'timed-out' };
      if (outcome.status === 'dropped') return { status: 'refused', reason: outcome.reason };
      // A refused message always settles as dropped; `rejected` covers an outcome that says otherwise.
      if (!accepted) return { status: 'refused', reason: 'rejected' };
      return { status: 'confirmed', as: outcome.status };
    }
    return { status: 'confirmed', as: 'stored' };
  } finally {
    clearTimeout(timer);
  }
}
