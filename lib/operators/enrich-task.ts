import {
  EMPTY,
  catchError,
  concat,
  defaultIfEmpty,
  defer,
  finalize,
  forkJoin,
  map,
  mergeMap,
  of,
  Subject,
  take,
  type Observable,
  type ObservableInput,
  type OperatorFunction,
} from 'rxjs';
import { copyWith } from '../hot-path/copy-with.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import type { TaskAbortedEvent, TaskFailedEvent } from '../qlik/log-appender-events.js';
import type {
  EnrichedTaskData,
  EnrichedTaskEvent,
  TaskEnrichment,
} from '../qrs/enriched-task-event.js';
import type { QrsAppFull, QrsTaskFull } from '../qrs/qrs-types.js';

/**
 * The part of the Repository Service that enrichment needs. A `RepositoryService` fits; so does
 * anything returning observables, which is how the marble specs drive it in virtual time.
 */
export interface TaskMetadataLookup {
  getTaskFull(id: string): ObservableInput<QrsTaskFull | undefined>;
  getAppFull(id: string): ObservableInput<QrsAppFull | undefined>;
}

export interface EnrichTaskOptions {
  /** Events looked up at once; default 10. */
  readonly concurrency?: number;
  readonly log?: Logger;
  readonly metrics?: RelayMetrics;
}

type Lookup<T> = { readonly found: T } | { readonly failure: string };

/**
 * Adds the task and app objects from the Repository Service to each failed or aborted task event.
 * An event is never lost to enrichment: when a lookup fails (service down or slow, an error
 * status, task or app unknown, no app id) it goes on with what is known and
 * `enrichment: { status: 'failed', step, reason }`.
 *
 * Both lookups of an event run in parallel; up to `concurrency` events are looked up at once.
 * Order: events with the same task id come out in the order they went in (a later one waits for
 * the earlier one, and then usually finds its objects in the client's cache); events of different
 * tasks may overtake each other. Time-outs and retries are the lookup's (the client's) job.
 */
export function enrichTask(
  lookup: TaskMetadataLookup,
  options: EnrichTaskOptions = {},
): OperatorFunction<TaskFailedEvent | TaskAbortedEvent, EnrichedTaskEvent> {
  const concurrency = Math.max(1, options.concurrency ?? 10);
  const report = enrichmentReporter(options);

  const enrichOne = (event: TaskFailedEvent | TaskAbortedEvent): Observable<EnrichedTaskEvent> => {
    const { taskId, appId } = event.data;
    const task$ = lookUp('task', taskId, () => lookup.getTaskFull(taskId));
    const app$: Observable<Lookup<QrsAppFull>> =
      appId === ''
        ? of({ failure: NO_APP_ID })
        : lookUp('app', appId, () => lookup.getAppFull(appId));
    return forkJoin([task$, app$]).pipe(map(([task, app]) => report(event, task, app)));
  };

  return (source) =>
    defer(() => {
      // Per task id: completes when the latest event of that task has come out (or was dropped).
      const lastOfTask = new Map<string, Subject<never>>();
      return source.pipe(
        mergeMap((event) => {
          const key = event.data.taskId.toLowerCase();
          const previous = lastOfTask.get(key) ?? EMPTY;
          const done = new Subject<never>();
          lastOfTask.set(key, done);
          return concat(previous, enrichOne(event)).pipe(
            finalize(() => {
              done.complete(); // a completed Subject completes late subscribers at once
              if (lastOfTask.get(key) === done) lastOfTask.delete(key);
            }),
          );
        }, concurrency),
      );
    });
}

/** A Repository Service answering with promises, as `RepositoryService` does. */
export interface TaskMetadataService {
  getTaskFull(id: string): Promise<QrsTaskFull | undefined>;
  getAppFull(id: string): Promise<QrsAppFull | undefined>;
}

/**
 * One event at a time, as a promise: what `enrichTask` does to each event (both lookups in
 * parallel, never rejecting, the same log line and count when a lookup fails), without an RxJS
 * chain built per event. The task-events pipeline enriches each event inside its own bounded
 * queue, where those per-event chains were a third of everything the relay allocated.
 */
export function taskEnricher(
  service: TaskMetadataService,
  options: Omit<EnrichTaskOptions, 'concurrency'> = {},
): (event: TaskFailedEvent | TaskAbortedEvent) => Promise<EnrichedTaskEvent> {
  const report = enrichmentReporter(options);
  return async (event) => {
    const { taskId, appId } = event.data;
    const [task, app] = await Promise.all([
      settle('task', taskId, () => service.getTaskFull(taskId)),
      appId === ''
        ? ({ failure: NO_APP_ID } as Lookup<QrsAppFull>)
        : settle('app', appId, () => service.getAppFull(appId)),
    ]);
    return report(event, task, app);
  };
}

const NO_APP_ID = 'the event carries no app id';

/** Combines an event with its lookups, and logs and counts how enrichment went. */
function enrichmentReporter(options: Omit<EnrichTaskOptions, 'concurrency'>) {
  const log = (options.log ?? silentLogger()).child({ component: 'enrich-task' });
  return (
    event: TaskFailedEvent | TaskAbortedEvent,
    task: Lookup<QrsTaskFull>,
    app: Lookup<QrsAppFull>,
  ): EnrichedTaskEvent => {
    const enriched = withEnrichment(event, task, app);
    const { enrichment } = enriched.data;
    if (enrichment.status === 'failed') {
      const { taskId, appId } = event.data;
      log.warn(
        {
          event: 'task.enrichment-failed',
          eventId: event.id,
          taskId,
          appId,
          step: enrichment.step,
        },
        `task event ${event.id} goes on without full Repository Service data: ${enrichment.reason}`,
      );
    }
    options.metrics?.taskEnrichment.inc({
      outcome: enrichment.status === 'complete' ? 'complete' : `failed-${enrichment.step}`,
    });
    return enriched;
  };
}

async function settle<T>(
  what: 'task' | 'app',
  id: string,
  call: () => Promise<T | undefined>,
): Promise<Lookup<T>> {
  try {
    const value = await call();
    return value === undefined ? notFound(what, id) : { found: value };
  } catch (error) {
    return lookupFailure(what, error);
  }
}

function notFound<T>(what: 'task' | 'app', id: string): Lookup<T> {
  return { failure: `${what} ${id} not found in the Repository Service` };
}

function lookupFailure<T>(what: 'task' | 'app', error: unknown): Lookup<T> {
  return {
    failure: `${what} lookup failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}

function lookUp<T>(
  what: 'task' | 'app',
  id: string,
  call: () => ObservableInput<T | undefined>,
): Observable<Lookup<T>> {
  const missing = notFound<T>(what, id);
  return defer(call).pipe(
    take(1),
    map((value): Lookup<T> => (value === undefined ? missing : { found: value })),
    defaultIfEmpty(missing),
    catchError((error: unknown) => of(lookupFailure<T>(what, error))),
  );
}

function withEnrichment(
  event: TaskFailedEvent | TaskAbortedEvent,
  task: Lookup<QrsTaskFull>,
  app: Lookup<QrsAppFull>,
): EnrichedTaskEvent {
  const failures = [
    ...('failure' in task ? [{ step: 'task' as const, reason: task.failure }] : []),
    ...('failure' in app ? [{ step: 'app' as const, reason: app.failure }] : []),
  ];
  const first = failures[0];
  const enrichment: TaskEnrichment =
    first === undefined
      ? { status: 'complete' }
      : { status: 'failed', step: first.step, reason: failures.map((f) => f.reason).join('; ') };
  const data: EnrichedTaskData = copyWith(event.data, {
    enrichment,
    ...('found' in task ? { task: task.found, taskType: task.found.taskType ?? 0 } : {}),
    ...('found' in app ? { app: app.found } : {}),
  });
  return { ...event, data };
}
