import type { Counter, LabelValues } from 'prom-client';
import type { RelayMetrics } from './relay-metrics.js';

type DropLabel = 'component' | 'reason';

/**
 * The metrics one pipeline's steps are given: the relay's own, except that every drop counted in
 * `relay_dropped_total` through them also counts in `relay_pipeline_dropped_total` for this
 * pipeline. Steps report drops as before (`metrics.dropped`, a `ThrottledDropReporter`) and need
 * not know which pipeline they run in; each drop costs one more counter increment.
 */
export function pipelineMetrics(metrics: RelayMetrics, pipeline: string): RelayMetrics {
  const all = metrics.dropped;
  const own = metrics.pipelineDropped.labels({ pipeline });
  own.inc(0); // the series exists from the start, so a rate over it needs no first drop
  // Any object is the labels: relay_dropped_total has no exemplars, and prom-client reads it so.
  const inc = (first?: object | number, value?: number): void => {
    if (typeof first === 'object') {
      all.inc(first as LabelValues<DropLabel>, value);
      own.inc(value);
    } else {
      all.inc(first);
      own.inc(first);
    }
  };
  // Everything else (the series, `labels`, `get`) is the relay's counter, through the prototype.
  const dropped = Object.create(all, { inc: { value: inc } }) as Counter<DropLabel>;
  return Object.create(metrics, { dropped: { value: dropped } }) as RelayMetrics;
}
