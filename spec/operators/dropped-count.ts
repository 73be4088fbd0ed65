import type { RelayMetrics } from '../../lib/metrics/relay-metrics.js';

/** Current value of `relay_dropped_total` for one component and reason. */
export async function droppedCount(
  metrics: RelayMetrics,
  component: string,
  reason: string,
): Promise<number> {
  const { values } = await metrics.dropped.get();
  const match = values.find((v) => v.labels.component === component && v.labels.reason === reason);
  return match?.value ?? 0;
}

/** Every non-zero `relay_dropped_total` value of one component, by reason. */
export async function droppedByReason(
  metrics: RelayMetrics,
  component: string,
): Promise<Record<string, number>> {
  const { values } = await metrics.dropped.get();
  const counts: Record<string, number> = {};
  for (const v of values) {
    if (v.labels.component === component && v.value > 0) counts[String(v.labels.reason)] = v.value;
  }
  return counts;
}
