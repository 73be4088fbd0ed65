import type { Logger } from '../../lib/log/logger.js';
import type { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { MemoryOutboxStore } from '../../lib/outbox/memory-outbox-store.js';
import { Outbox } from '../../lib/outbox/outbox.js';

/** An outbox in memory with no age limit, for specs that exercise the publishers. */
export function memoryOutbox(log: Logger, metrics: RelayMetrics, maxAgeSeconds = 0): Outbox {
  return new Outbox({ store: new MemoryOutboxStore(), maxAgeSeconds, log, metrics });
}
