import { NEVER, type Observable, type ObservableInput } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import {
  enrichTask,
  taskEnricher,
  type TaskMetadataLookup,
} from '../../lib/operators/enrich-task.js';
import type { TaskAbortedEvent, TaskFailedEvent } from '../../lib/qlik/log-appender-events.js';
import type { EnrichedTaskData, EnrichedTaskEvent } from '../../lib/qrs/enriched-task-event.js';
import { QrsError } from '../../lib/qrs/qrs-error.js';
import type { QrsAppFull, QrsTaskFull } from '../../lib/qrs/qrs-types.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { captureLog } from '../support/log-capture.js';
import { observableMatcher } from '../support/observable-matcher.js';
import { DATAGRAMS, abortedEvent, failedEvent } from '../support/task-event-fixtures.js';

type TaskEvent = TaskFailedEvent | TaskAbortedEvent;

const TASK = taskFullFixture();
const APP = appFullFixture();
const FINANCE_TASK: QrsTaskFull = {
  ...TASK,
  id: '0b5e7f3c-91a2-4d8e-b6c4-2f1a0e9d8c7b',
  name: 'Nightly finance load',
};
const PRELOAD_TASK: QrsTaskFull = {
  ...TASK,
  id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  name: 'Preload Sales Dashboard',
  taskType: 4,
};

const failed = failedEvent(DATAGRAMS.failed, 'e1');
const aborted = abortedEvent(DATAGRAMS.aborted, 'e2');
const financeFailed = failedEvent(DATAGRAMS.failedFinance, 'e3');
const preloadFailed = failedEvent(DATAGRAMS.failedPreload, 'e4');

function enriched(event: TaskEvent, extra: Partial<EnrichedTaskData>): EnrichedTaskEvent {
  return { ...event, data: { ...event.data, ...extra } } as EnrichedTaskEvent;
}

const complete = (event: TaskEvent, task: QrsTaskFull = TASK): EnrichedTaskEvent =>
  enriched(event, { enrichment: { status: 'complete' }, task, app: APP, taskType: 0 });

/** A lookup whose answers each test scripts; it records the ids asked for. */
function scripted(
  task: (id: string, call: number) => ObservableInput<QrsTaskFull | undefined>,
  app: (id: string) => ObservableInput<QrsAppFull | undefined>,
): TaskMetadataLookup & { taskCalls: string[]; appCalls: string[] } {
  const taskCalls: string[] = [];
  const appCalls: string[] = [];
  return {
    taskCalls,
    appCalls,
    getTaskFull: (id) => {
      taskCalls.push(id);
      return task(id, taskCalls.length);
    },
    getAppFull: (id) => {
      appCalls.push(id);
      return app(id);
    },
  };
}

describe('enrichTask', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('adds the task and app objects and the task type', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        () => cold('--(t|)', { t: TASK }),
        () => cold('-(a|)', { a: APP }),
      );
      const source = cold<TaskEvent>('-x---y-|', { x: failed, y: aborted });
      expectObservable(source.pipe(enrichTask(lookup))).toBe('---X---(Y|)', {
        X: complete(failed),
        Y: complete(aborted),
      });
    });
  });

  it('counts a missing task type as reload (0)', () => {
    const { taskType: _unused, ...untyped } = TASK;
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        () => cold('(t|)', { t: untyped as QrsTaskFull }),
        () => cold('(a|)', { a: APP }),
      );
      expectObservable(cold<TaskEvent>('x|', { x: failed }).pipe(enrichTask(lookup))).toBe('X|', {
        X: complete(failed, untyped as QrsTaskFull),
      });
    });
  });

  it('keeps the order of events of one task; other tasks may overtake', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        (id, call) =>
          id === FINANCE_TASK.id
            ? cold('-(t|)', { t: FINANCE_TASK })
            : cold(call === 1 ? '-----(t|)' : '-(t|)', { t: TASK }),
        () => cold('(a|)', { a: APP }),
      );
      const source = cold<TaskEvent>('abc|', { a: failed, b: aborted, c: financeFailed });
      expectObservable(source.pipe(enrichTask(lookup))).toBe('---c-a(b|)', {
        a: complete(failed),
        b: complete(aborted),
        c: complete(financeFailed, FINANCE_TASK),
      });
    });
  });

  it('looks up at most `concurrency` events at once', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        (id) => cold('--(t|)', { t: id === TASK.id ? TASK : FINANCE_TASK }),
        () => cold('(a|)', { a: APP }),
      );
      const source = cold<TaskEvent>('ac|', { a: failed, c: financeFailed });
      expectObservable(source.pipe(enrichTask(lookup, { concurrency: 1 }))).toBe('--a-(c|)', {
        a: complete(failed),
        c: complete(financeFailed, FINANCE_TASK),
      });
    });
  });

  it('lets the event through with the reason when the task lookup fails', () => {
    const down = new QrsError(
      'QRS GET /qrs/task/full?filter=… answered HTTP 500 (after 3 attempts)',
      {
        kind: 'http',
        endpoint: '/qrs/task/full',
        request: 'GET /qrs/task/full?filter=…',
        status: 500,
      },
    );
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        () => cold('--#', undefined, down),
        () => cold('-(a|)', { a: APP }),
      );
      expectObservable(cold<TaskEvent>('x|', { x: failed }).pipe(enrichTask(lookup))).toBe(
        '--(X|)',
        {
          X: enriched(failed, {
            enrichment: {
              status: 'failed',
              step: 'task',
              reason: `task lookup failed: ${down.message}`,
            },
            app: APP,
          }),
        },
      );
    });
  });

  it('reports an unknown task, an unknown app, or both', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const nothing = () => cold<undefined>('-(n|)', { n: undefined });
      const found = {
        task: () => cold('-(t|)', { t: TASK }),
        app: () => cold('-(a|)', { a: APP }),
      };
      const notFound = (what: string, id: string): string =>
        `${what} ${id} not found in the Repository Service`;
      const x = cold<TaskEvent>('x|', { x: failed });

      expectObservable(x.pipe(enrichTask(scripted(nothing, found.app)))).toBe('-(X|)', {
        X: enriched(failed, {
          enrichment: { status: 'failed', step: 'task', reason: notFound('task', TASK.id) },
          app: APP,
        }),
      });
      expectObservable(x.pipe(enrichTask(scripted(found.task, nothing)))).toBe('-(X|)', {
        X: enriched(failed, {
          enrichment: { status: 'failed', step: 'app', reason: notFound('app', APP.id) },
          task: TASK,
          taskType: 0,
        }),
      });
      expectObservable(x.pipe(enrichTask(scripted(nothing, nothing)))).toBe('-(X|)', {
        X: enriched(failed, {
          enrichment: {
            status: 'failed',
            step: 'task',
            reason: `${notFound('task', TASK.id)}; ${notFound('app', APP.id)}`,
          },
        }),
      });
    });
  });

  it('does not ask for an app when the event has no app id', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        () => cold('-(t|)', { t: PRELOAD_TASK }),
        () => cold('(a|)', { a: APP }),
      );
      expectObservable(cold<TaskEvent>('x|', { x: preloadFailed }).pipe(enrichTask(lookup))).toBe(
        '-(X|)',
        {
          X: enriched(preloadFailed, {
            enrichment: { status: 'failed', step: 'app', reason: 'the event carries no app id' },
            task: PRELOAD_TASK,
            taskType: 4,
          }),
        },
      );
      scheduler.flush();
      expect(lookup.appCalls).toEqual([]);
    });
  });

  it('survives a lookup that throws or answers nothing', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        () => {
          throw new Error('adapter bug');
        },
        () => cold<QrsAppFull | undefined>('|'),
      );
      expectObservable(cold<TaskEvent>('x|', { x: failed }).pipe(enrichTask(lookup))).toBe('X|', {
        X: enriched(failed, {
          enrichment: {
            status: 'failed',
            step: 'task',
            reason: `task lookup failed: adapter bug; app ${APP.id} not found in the Repository Service`,
          },
        }),
      });
    });
  });

  it('passes a source error through', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        () => cold('-(t|)', { t: TASK }),
        () => cold('(a|)', { a: APP }),
      );
      expectObservable(
        cold<TaskEvent>('x----#', { x: failed }, new Error('socket closed')).pipe(
          enrichTask(lookup),
        ),
      ).toBe('-X---#', { X: complete(failed) }, new Error('socket closed'));
    });
  });

  it('unsubscribes from the source and the lookups in flight', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const taskAnswer = cold('---(t|)', { t: TASK });
      const lookup = scripted(
        () => taskAnswer,
        () => cold('(a|)', { a: APP }),
      );
      const source = hot<TaskEvent>('-x-x-|', { x: failed });
      expectObservable(source.pipe(enrichTask(lookup)), '^--!').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectSubscriptions(taskAnswer.subscriptions).toBe('-^-!');
    });
  });

  it('completes on empty and stays silent on never', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        () => cold('(t|)', { t: TASK }),
        () => cold('(a|)', { a: APP }),
      );
      expectObservable(cold<TaskEvent>('|').pipe(enrichTask(lookup))).toBe('|');
      expectObservable((NEVER as Observable<TaskEvent>).pipe(enrichTask(lookup))).toBe('');
    });
  });

  it('logs and counts every enrichment outcome', async () => {
    const { log, records } = captureLog();
    const metrics = new RelayMetrics();

    scheduler.run(({ cold, expectObservable }) => {
      const lookup = scripted(
        (id) => cold('(t|)', { t: id === TASK.id ? TASK : undefined }),
        () => cold('(a|)', { a: APP }),
      );
      const source = cold<TaskEvent>('xy|', { x: failed, y: financeFailed });
      expectObservable(source.pipe(enrichTask(lookup, { log, metrics }))).toBe('xy|', {
        x: complete(failed),
        y: enriched(financeFailed, {
          enrichment: {
            status: 'failed',
            step: 'task',
            reason: `task ${FINANCE_TASK.id} not found in the Repository Service`,
          },
          app: APP,
        }),
      });
    });

    const counts = (await metrics.taskEnrichment.get()).values.map((v) => [
      v.labels.outcome,
      v.value,
    ]);
    expect(counts).toEqual(
      expect.arrayContaining([
        ['complete', 1],
        ['failed-task', 1],
      ]),
    );
    expect(records).toEqual([
      expect.objectContaining({ event: 'task.enrichment-failed', eventId: 'e3', step: 'task' }),
    ]);
  });
});

describe('taskEnricher', () => {
  const service = (
    task: (id: string) => Promise<QrsTaskFull | undefined>,
    app: (id: string) => Promise<QrsAppFull | undefined> = () => Promise.resolve(APP),
  ) => ({ getTaskFull: task, getAppFull: app });

  it('adds the task and app objects, as the operator does', async () => {
    const enrich = taskEnricher(service(() => Promise.resolve(TASK)));
    await expect(enrich(failed)).resolves.toEqual(complete(failed));
  });

  it('never rejects: a failed, missing or skipped lookup gives the reason', async () => {
    const metrics = new RelayMetrics();
    const { log, records } = captureLog();
    const enrich = taskEnricher(
      service(
        (id) =>
          id === TASK.id
            ? Promise.reject(new Error('service unavailable (503)'))
            : Promise.resolve(undefined),
        () => Promise.resolve(undefined),
      ),
      { log, metrics },
    );
    const down = await enrich(failed);
    expect(down.data.enrichment).toEqual({
      status: 'failed',
      step: 'task',
      reason: `task lookup failed: service unavailable (503); app ${APP.id} not found in the Repository Service`,
    });
    const unknown = await enrich(financeFailed);
    expect(unknown.data.enrichment).toMatchObject({ status: 'failed', step: 'task' });
    expect(records.map((r) => r.event)).toEqual([
      'task.enrichment-failed',
      'task.enrichment-failed',
    ]);
    const counts = (await metrics.taskEnrichment.get()).values.map((v) => [
      v.labels.outcome,
      v.value,
    ]);
    expect(counts).toEqual([['failed-task', 2]]);
  });

  it('does not ask for an app when the event has no app id', async () => {
    const appCalls: string[] = [];
    const enrich = taskEnricher(
      service(
        () => Promise.resolve(PRELOAD_TASK),
        (id) => {
          appCalls.push(id);
          return Promise.resolve(APP);
        },
      ),
    );
    const result = await enrich(preloadFailed);
    expect(appCalls).toEqual([]);
    expect(result.data).toMatchObject({
      taskType: 4,
      enrichment: { status: 'failed', step: 'app', reason: 'the event carries no app id' },
    });
  });
});
