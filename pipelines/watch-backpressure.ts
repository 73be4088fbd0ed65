import type { PipelineContext } from '../lib/index.js';

export interface BackpressureWatch {
  pipeline: string;
  maxWaiting: number;
  /** Percent of `maxWaiting` at which the queue counts as under pressure (Butler's 0–100). */
  thresholdPercent: number;
  context: PipelineContext;
}

const REPEAT_WARNING_MS = 60_000;

/**
 * Exports a pipeline's queue depth as a gauge and says when it crosses Butler's back-pressure
 * threshold: a warning on the way up (repeated each minute while it lasts), a note when it falls
 * below 80 % of the threshold again. Refused events are counted where they are refused.
 */
export function watchBackpressure(watch: BackpressureWatch): (waiting: number) => void {
  const { context, pipeline } = watch;
  const high = (watch.maxWaiting * watch.thresholdPercent) / 100;
  let active = false;
  let warnedAt = 0;
  return (waiting) => {
    context.metrics.pipelineQueueDepth.set({ pipeline }, waiting);
    const now = Date.now();
    // An empty queue is under no pressure: with a threshold of 0 it would warn at start-up.
    if (waiting > 0 && waiting >= high && (!active || now - warnedAt >= REPEAT_WARNING_MS)) {
      active = true;
      warnedAt = now;
      context.log.warn(
        { event: 'pipeline.backpressure', pipeline, waiting, maxWaiting: watch.maxWaiting },
        `${waiting} of at most ${watch.maxWaiting} events wait in ${pipeline}; more will be refused and counted`,
      );
    } else if (active && (waiting === 0 || waiting < high * 0.8)) {
      active = false;
      context.log.info(
        { event: 'pipeline.backpressure-cleared', pipeline, waiting },
        `the queue of ${pipeline} has room again`,
      );
    }
  };
}
