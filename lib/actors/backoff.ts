export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialDelayMs: number;
  /** Upper bound for any delay, in ms. */
  maxDelayMs: number;
  /** Growth per attempt; defaults to 2. */
  factor?: number;
}

/**
 * Exponential back-off with "equal jitter": half the delay is fixed, half random, so retries from
 * many clients spread out while each still waits at least half the nominal time.
 * `attempt` counts from 0.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(
    options.maxDelayMs,
    options.initialDelayMs * (options.factor ?? 2) ** Math.max(0, attempt),
  );
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
