import { map, NEVER, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createEvent, type RelayEvent } from '../../lib/events.js';
import { filterEvents } from '../../lib/operators/filter-events.js';
import { observableMatcher } from '../support/observable-matcher.js';

const failed = createEvent('task.failed', 'test', { taskType: 0, host: 'a' }, 'f');
const aborted = createEvent('task.aborted', 'test', { taskType: 0, host: 'b' }, 'a');
const external = createEvent('task.failed', 'test', { taskType: 1, host: 'c' }, 'x');
const values = { f: failed, a: aborted, x: external };

describe('filterEvents', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('keeps events of the given kind', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<RelayEvent>('-f-a-x-|', values);
      expectObservable(source.pipe(filterEvents({ kind: 'task.failed' }))).toBe('-f---x-|', values);
    });
  });

  it('matches any of several kinds and field values, by dotted path', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<RelayEvent>('-f-a-x-|', values);
      const match = { kind: ['task.failed', 'task.aborted'], where: { 'data.taskType': [0] } };
      expectObservable(source.pipe(filterEvents(match))).toBe('-f-a---|', values);
    });
  });

  it('lets everything through with an empty match, and nothing through on a missing path', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<RelayEvent>('-f-a-|', values).pipe(filterEvents({}))).toBe(
        '-f-a-|',
        values,
      );
      expectObservable(
        cold<RelayEvent>('-f-a-|', values).pipe(filterEvents({ where: { 'data.no.such': 1 } })),
      ).toBe('-----|');
    });
  });

  it('passes source errors through', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<RelayEvent>('-f-#', values, new Error('boom'));
      expectObservable(source.pipe(filterEvents({ kind: 'task.failed' }))).toBe(
        '-f-#',
        values,
        new Error('boom'),
      );
    });
  });

  it('unsubscribes from the source when unsubscribed early', () => {
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<RelayEvent>('-f-a-x-f-|', values);
      expectObservable(source.pipe(filterEvents({ kind: 'task.failed' })), '^---!').toBe(
        '-f--',
        values,
      );
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('stays silent on empty and never', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<RelayEvent>('|').pipe(filterEvents({ kind: 'x' }))).toBe('|');
      expectObservable((NEVER as Observable<RelayEvent>).pipe(filterEvents({ kind: 'x' }))).toBe(
        '',
      );
    });
  });

  it('propagates a throwing upstream step as an error', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<RelayEvent>('-f-|', values).pipe(
        map(() => {
          throw new Error('step failed');
        }),
      );
      expectObservable(source.pipe(filterEvents({}))).toBe(
        '-#',
        undefined,
        new Error('step failed'),
      );
      expectObservable(throwError(() => new Error('x')).pipe(filterEvents({}))).toBe(
        '#',
        undefined,
        new Error('x'),
      );
    });
  });
});
