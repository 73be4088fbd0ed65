import { NEVER, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { OutboundMessage } from '../../lib/events.js';
import { buildFullTaskPayload } from '../../lib/operators/full-task-payload.js';
import { toTaskMessages, type TaskMessageOptions } from '../../lib/operators/to-task-messages.js';
import type { TaskAbortedEvent, TaskFailedEvent } from '../../lib/qlik/log-appender-events.js';
import type { EnrichedTaskData, EnrichedTaskEvent } from '../../lib/qrs/enriched-task-event.js';
import type { QrsTaskFull } from '../../lib/qrs/qrs-types.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { observableMatcher } from '../support/observable-matcher.js';
import { DATAGRAMS, abortedEvent, failedEvent } from '../support/task-event-fixtures.js';

const OPTIONS: TaskMessageOptions = {
  topics: {
    failed: 'qliksense/task_failure',
    failedFull: 'qliksense/task_failure_full',
    aborted: 'qliksense/task_aborted',
    abortedFull: 'qliksense/task_aborted_full',
  },
  sendFull: { failed: true, aborted: true },
};

function withData(
  event: TaskFailedEvent | TaskAbortedEvent,
  extra: Partial<EnrichedTaskData>,
): EnrichedTaskEvent {
  return { ...event, data: { ...event.data, ...extra } } as EnrichedTaskEvent;
}

const complete = { enrichment: { status: 'complete' }, app: appFullFixture() } as const;
const reloadTask = { ...complete, task: taskFullFixture(), taskType: 0 };
const failed = withData(failedEvent(DATAGRAMS.failed, 'e1'), reloadTask);
const aborted = withData(abortedEvent(DATAGRAMS.aborted, 'e2'), reloadTask);
const preload = withData(failedEvent(DATAGRAMS.failedPreload, 'e3'), {
  enrichment: { status: 'failed', step: 'app', reason: 'the event carries no app id' },
  task: { ...taskFullFixture(), taskType: 4 } as QrsTaskFull,
  taskType: 4,
});
const unknownTask = withData(failedEvent(DATAGRAMS.failedFinance, 'e4'), {
  enrichment: { status: 'failed', step: 'task', reason: 'QRS down' },
});

const basic = (topic: string, event: EnrichedTaskEvent): OutboundMessage => ({
  topic,
  payload: event.data.taskName,
  eventId: event.id,
});
const full = (topic: string, event: EnrichedTaskEvent): OutboundMessage => ({
  topic,
  payload: buildFullTaskPayload(event),
  eventId: event.id,
});

describe('toTaskMessages', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('sends the task name on the basic topic, then the full JSON on the full topic', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<EnrichedTaskEvent>('-f----a----|', { f: failed, a: aborted });
      expectObservable(source.pipe(toTaskMessages(OPTIONS))).toBe('-(bc)-(de)-|', {
        b: basic('qliksense/task_failure', failed),
        c: full('qliksense/task_failure_full', failed),
        d: basic('qliksense/task_aborted', aborted),
        e: full('qliksense/task_aborted_full', aborted),
      });
    });
  });

  it('sends the basic message only when the full one is off for that kind', () => {
    const options = { ...OPTIONS, sendFull: { failed: false, aborted: true } };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<EnrichedTaskEvent>('fa---|', { f: failed, a: aborted });
      expectObservable(source.pipe(toTaskMessages(options))).toBe('b(de)|', {
        b: basic('qliksense/task_failure', failed),
        d: basic('qliksense/task_aborted', aborted),
        e: full('qliksense/task_aborted_full', aborted),
      });
    });
  });

  it('skips tasks other than reload, unless told otherwise', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<EnrichedTaskEvent>('p|', { p: preload });
      expectObservable(source.pipe(toTaskMessages(OPTIONS))).toBe('-|');
      expectObservable(
        source.pipe(
          toTaskMessages({
            ...OPTIONS,
            onlyReloadTasks: false,
            sendFull: { failed: false, aborted: false },
          }),
        ),
      ).toBe('b|', { b: basic('qliksense/task_failure', preload) });
    });
  });

  it('publishes a task whose type is unknown because its lookup failed, with the reason', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<EnrichedTaskEvent>('u---|', { u: unknownTask });
      expectObservable(source.pipe(toTaskMessages(OPTIONS))).toBe('(bc)|', {
        b: basic('qliksense/task_failure', unknownTask),
        c: full('qliksense/task_failure_full', unknownTask),
      });
    });
    expect(buildFullTaskPayload(unknownTask)).toMatch(
      /,"relay_enrichment":\{"status":"failed","reason":"QRS down"\},"relay_eventId":"e4"\}$/,
    );
  });

  it('leaves the relay fields out when asked', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<EnrichedTaskEvent>('f---|', { f: failed });
      expectObservable(source.pipe(toTaskMessages({ ...OPTIONS, relayFields: false }))).toBe(
        '(bc)|',
        {
          b: basic('qliksense/task_failure', failed),
          c: {
            topic: 'qliksense/task_failure_full',
            payload: buildFullTaskPayload(failed, 'failed', { relayFields: false }),
            eventId: 'e1',
          },
        },
      );
    });
  });

  it('errors when the full payload cannot be built, and passes source errors through', () => {
    const broken = withData(failedEvent(DATAGRAMS.failed, 'e5'), {
      ...reloadTask,
      task: { ...taskFullFixture(), customProperties: [{ value: 'x' }] } as unknown as QrsTaskFull,
    });
    scheduler.run(({ cold, expectObservable }) => {
      // jest's matcher for "some TypeError" (typed `any` by jest): the message is V8's.
      expectObservable(
        cold<EnrichedTaskEvent>('-x|', { x: broken }).pipe(toTaskMessages(OPTIONS)),
      ).toBe('-#', undefined, expect.any(TypeError));
      expectObservable(
        cold<EnrichedTaskEvent>('-#', {}, new Error('src')).pipe(toTaskMessages(OPTIONS)),
      ).toBe('-#', undefined, new Error('src'));
    });
  });

  it('handles early unsubscribe, empty and never', () => {
    const options = { ...OPTIONS, sendFull: { failed: false, aborted: false } };
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot<EnrichedTaskEvent>('-f-f-f-|', { f: failed });
      expectObservable(source.pipe(toTaskMessages(options)), '^--!').toBe('-b-', {
        b: basic('qliksense/task_failure', failed),
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectObservable(cold<EnrichedTaskEvent>('|').pipe(toTaskMessages(options))).toBe('|');
      expectObservable((NEVER as Observable<EnrichedTaskEvent>).pipe(toTaskMessages(options))).toBe(
        '',
      );
    });
  });
});
