import { NEVER, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { pollWithoutOverlap } from '../../lib/operators/poll-without-overlap.js';
import { observableMatcher } from '../support/observable-matcher.js';

describe('pollWithoutOverlap', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('runs one poll per tick when each finishes before the next tick', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const ticks = hot('   a----b----c----|');
      const poll = cold('   -x|');
      const expected = '    -x----x----x---|';
      expectObservable(ticks.pipe(pollWithoutOverlap(() => poll))).toBe(expected);
      expectSubscriptions(poll.subscriptions).toBe(['^-!', '-----^-!', '----------^-!']);
    });
  });

  it('never overlaps: ticks during a slow poll are counted and folded into one poll right after it', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const overruns: string[] = [];
      const ticks = hot('   a-b-c-----d---|');
      const poll = cold('   -----x|');
      //                    a runs 0-6; b and c overrun, c runs 6-12; d overruns, runs 12-18
      const expected = '    -----x-----x-----x|';
      expectObservable(
        ticks.pipe(pollWithoutOverlap(() => poll, { onOverrun: (tick) => overruns.push(tick) })),
      ).toBe(expected);
      expectSubscriptions(poll.subscriptions).toBe([
        '^-----!',
        '------^-----!',
        '------------^-----!',
      ]);
      scheduler.flush();
      expect(overruns).toEqual(['b', 'c', 'd']);
    });
  });

  it('gives each poll the latest tick', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const ticks = hot('a-b-c|'); // b and c both come while a's poll runs
      const polls = ticks.pipe(pollWithoutOverlap((tick) => cold('-----(t|)', { t: tick })));
      expectObservable(polls).toBe('-----a----(c|)');
    });
  });

  it('completes with the ticks when no poll runs, and after the last poll when one does', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      expectObservable(hot('--|').pipe(pollWithoutOverlap(() => cold('-x|')))).toBe('--|');
      expectObservable(hot('a|').pipe(pollWithoutOverlap(() => cold('---x|')))).toBe('---x|');
    });
  });

  it('passes on an error of the ticks or of a poll', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      expectObservable(hot('a-#').pipe(pollWithoutOverlap(() => cold('x|')))).toBe('x-#');
      expectObservable(
        hot('a--').pipe(pollWithoutOverlap(() => throwError(() => new Error('boom')))),
      ).toBe('#', undefined, new Error('boom'));
    });
  });

  it('turns a poll function that throws into an error of the stream', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const failing = (): never => {
        throw new Error('bad poll');
      };
      expectObservable(hot('-a').pipe(pollWithoutOverlap(failing))).toBe(
        '-#',
        undefined,
        new Error('bad poll'),
      );
    });
  });

  it('stops the running poll on unsubscribe', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const poll = cold('-----x|');
      expectObservable(hot('a').pipe(pollWithoutOverlap(() => poll)), '---!').toBe('');
      expectSubscriptions(poll.subscriptions).toBe('^--!');
    });
  });

  it('emits nothing for empty ticks, and never ends for never', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(pollWithoutOverlap(() => cold('x|')))).toBe('|');
      expectObservable(NEVER.pipe(pollWithoutOverlap(() => cold('x|')))).toBe('');
    });
  });
});
