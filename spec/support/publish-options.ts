import type { PublishOptions } from '../../lib/sinks/publish-options.js';

/** Publish options for tests: QoS 1, 10 in flight, roomy queue, quick retries (20–200 ms). */
export function testPublishOptions(
  overrides: Partial<Omit<PublishOptions, 'queue'>> & {
    queue?: Partial<PublishOptions['queue']>;
  } = {},
): PublishOptions {
  const { queue, ...rest } = overrides;
  return {
    qos: 1,
    inFlight: 10,
    messageExpirySeconds: 0,
    retry: { initialDelayMs: 20, maxDelayMs: 200 },
    ...rest,
    queue: { maxMessages: 100_000, maxBytes: 100_000_000, overflow: 'drop-oldest', ...queue },
  };
}
