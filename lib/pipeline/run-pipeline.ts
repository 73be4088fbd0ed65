import { defer, of, retry, Subject, tap, timer } from 'rxjs';
import { backoffDelay, type BackoffOptions } from '../actors/backoff.js';
import type { RelayEvent } from '../events.js';
import { pipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { MessageSink, Pipeline, PipelineContext } from './pipeline.js';

export interface RunningPipeline {
  readonly name: string;
  /** False while the source is failing and waits to be restarted, and once the pipeline ended. */
  readonly running: boolean;
  /** Resolves when the pipeline has ended: its source completed and its in-flight work is done. */
  readonly finished: Promise<void>;
  /** Cuts the pipeline off at once; use when the graceful end took too long. */
  stop(): void;
}

const SOURCE_RESTART: BackoffOptions = { initialDelayMs: 1000, maxDelayMs: 60_000 };
const STEP_RESTART: BackoffOptions = { initialDelayMs: 100, maxDelayMs: 10_000 };

/**
 * Runs a pipeline: source → the pipeline's steps → the sink. The source feeds a subject, so a step
 * that throws on one event costs only that event: the error is logged and counted, the steps are
 * subscribed afresh and the next event flows, while the source (its socket or subscription) stays
 * open. A failing source is restarted with back-off. When the source completes (the relay is
 * stopping) the steps finish what they hold and the pipeline ends. What its steps drop also counts
 * as dropped by this pipeline; what its source drops (a listener it may share) does not.
 */
export function runPipeline(
  pipeline: Pipeline,
  context: PipelineContext,
  sink: MessageSink,
): RunningPipeline {
  const labels = { pipeline: pipeline.name };
  const log = context.log.child({ pipeline: pipeline.name });
  const steps: PipelineContext = {
    ...context,
    metrics: pipelineMetrics(context.metrics, pipeline.name),
  };
  const events = new Subject<RelayEvent>();
  let sourceHealthy = true;
  let ended = false;
  let markFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (markFinished = resolve));
  const end = (): void => {
    ended = true;
    markFinished();
  };

  // Built once, eagerly, so bad step parameters fail at start-up; a retry re-subscribes the same
  // chain, which gives every operator fresh per-subscription state.
  const output = pipeline.build(events.asObservable(), steps).pipe(
    tap({
      error: (err: unknown) => {
        steps.metrics.pipelineErrors.inc(labels);
        steps.metrics.dropped.inc({ component: 'pipeline', reason: 'pipeline-error' });
        log.error(
          { event: 'pipeline.step-failed', err },
          'a pipeline step threw; the event is dropped',
        );
      },
    }),
    // The first retry after a healthy stretch is immediate so no later event is missed; a step
    // that fails again before emitting anything backs off instead of spinning.
    retry({
      resetOnSuccess: true,
      delay: (_err, attempt) =>
        attempt === 1 ? of(0) : timer(backoffDelay(attempt - 2, STEP_RESTART)),
    }),
  );

  const shared = context.source(pipeline.source); // outside defer: bad parameters fail at start-up
  const source = defer(() => {
    sourceHealthy = true;
    return shared;
  }).pipe(
    tap({
      next: () => context.metrics.eventsIn.inc(labels),
      error: (err: unknown) => {
        sourceHealthy = false;
        log.error(
          { event: 'pipeline.source-failed', err },
          'the pipeline source failed; restarting it',
        );
      },
    }),
    retry({
      resetOnSuccess: true,
      delay: (_err, attempt) => timer(backoffDelay(attempt - 1, SOURCE_RESTART)),
    }),
  );

  const outputSubscription = output.subscribe({
    next: (message) => {
      context.metrics.eventsOut.inc(labels);
      void sink.publish(message);
    },
    complete: end,
  });
  const sourceSubscription = source.subscribe({
    next: (event) => events.next(event),
    complete: () => {
      log.info({ event: 'pipeline.source-completed' }, 'the pipeline source ended');
      events.complete();
    },
  });
  log.info(
    { event: 'pipeline.started', source: pipeline.source.type },
    `pipeline ${pipeline.name} started`,
  );

  return {
    name: pipeline.name,
    get running() {
      return !ended && sourceHealthy;
    },
    finished,
    stop() {
      sourceSubscription.unsubscribe();
      outputSubscription.unsubscribe();
      end();
    },
  };
}
