import type { RelayMetrics } from '../../lib/metrics/relay-metrics.js';

/**
 * A counter's or gauge's value summed over the label sets that match `labels` (every label set by
 * default); with all its labels given, the one value. 0 when never set.
 */
export async function metricValue(
  metrics: RelayMetrics,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value))
    .reduce((sum, v) => sum + v.value, 0);
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
