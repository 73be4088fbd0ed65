import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createEvent, type RelayEvent } from '../../lib/events.js';
import { ActiveUserSessions } from '../../lib/operators/active-user-sessions.js';
import {
  sweepIntervalOf,
  trackActiveUsers,
  type ActiveUsersUpdate,
  type TrackActiveUsersOptions,
} from '../../lib/operators/track-active-users.js';
import type { ProxySessionKind } from '../../lib/qlik/proxy-session-events.js';
import { observableMatcher } from '../support/observable-matcher.js';
import {
  sessionEvent as sessionEventOn,
  sessionsListening,
} from '../support/proxy-session-fixtures.js';

const NODE1 = 'qs-node1';
const sessionEvent = (kind: ProxySessionKind, user: string, hostName = NODE1): RelayEvent =>
  sessionEventOn(kind, user, hostName);
const listening = sessionsListening;

/** An update in short: who is active, who expired, and whether it is a republish. */
function summary(update: ActiveUsersUpdate): string {
  const users = update.active.users.map((u) => `${u.userDirectory}\\${u.userId}`).join(',');
  const expired = update.expired.map((u) => `${u.userDirectory}\\${u.userId}`).join(',');
  return `${update.republish ? 'all' : 'changed'} [${users}]${expired ? ` expired [${expired}]` : ''}`;
}

describe('trackActiveUsers', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  const track =
    (options: Partial<TrackActiveUsersOptions> = {}) =>
    (events: Observable<RelayEvent>) =>
      events.pipe(
        trackActiveUsers({ timeoutMs: 60_000, republishMs: 0, scheduler, ...options }),
        map(summary),
      );

  const values = {
    a: sessionEvent('session.start', 'CORP\\jdoe'),
    o: sessionEvent('connection.open', 'CORP\\jdoe'),
    c: sessionEvent('connection.close', 'CORP\\jdoe'),
    b: sessionEvent('session.start', 'EXT\\asmith'),
    s: sessionEvent('session.stop', 'CORP\\jdoe'),
    t: sessionEvent('session.stop', 'EXT\\asmith'),
    l: listening,
  };

  it('says something only when a user becomes active or stops being active', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-o-c-b-s-t|', values).pipe(track())).toBe('a-----b-s-t|', {
        a: 'changed [CORP\\jdoe]',
        b: 'changed [CORP\\jdoe,EXT\\asmith]',
        s: 'changed [EXT\\asmith]',
        t: 'changed []',
      });
    });
  });

  it('gives the previous state with each change, so a receiver can tell what changed', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const previous = cold('a-b|', values).pipe(
        trackActiveUsers({ timeoutMs: 60_000, republishMs: 0, scheduler }),
        map((update) => update.previous.users.map((u) => u.userId).join(',')),
      );
      expectObservable(previous).toBe('a-b|', { a: '', b: 'jdoe' });
    });
  });

  it('says everything when the listener starts, even with nobody active', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('l-a-l|', values).pipe(track())).toBe('l-a-r|', {
        l: 'all []',
        a: 'changed [CORP\\jdoe]',
        r: 'all [CORP\\jdoe]', // a restarted listener
      });
    });
  });

  it('republishes everything every republishMs, changed or not', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const events = hot('a', values);
      expectObservable(events.pipe(track({ republishMs: 500 })), '^ 1200ms !').toBe(
        'a 499ms r 499ms r',
        { a: 'changed [CORP\\jdoe]', r: 'all [CORP\\jdoe]' },
      );
    });
  });

  it('expires a user with no event within the timeout, found by the next sweep', () => {
    expect(sweepIntervalOf(1_000)).toBe(250);
    scheduler.run(({ hot, expectObservable }) => {
      // jdoe starts at 0 and never stops; asmith starts at 600.
      const events = hot('a 599ms b', values);
      expectObservable(events.pipe(track({ timeoutMs: 1_000 })), '^ 2000ms !').toBe(
        'a 599ms b 399ms x 749ms y',
        {
          a: 'changed [CORP\\jdoe]',
          b: 'changed [CORP\\jdoe,EXT\\asmith]',
          x: 'changed [EXT\\asmith] expired [CORP\\jdoe]', // sweep at 1000
          y: 'changed [] expired [EXT\\asmith]', // sweep at 1750: 1150 ms idle
        },
      );
    });
  });

  it('counts the timeout from the last connection event', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // Opened at 600, closed at 1300: idle from 1300, expired at the sweep of 2500.
      const events = hot('a 599ms o 699ms c', values);
      expectObservable(events.pipe(track({ timeoutMs: 1_000 })), '^ 3000ms !').toBe('a 2499ms x', {
        a: 'changed [CORP\\jdoe]',
        x: 'changed [] expired [CORP\\jdoe]',
      });
    });
  });

  it('keeps a user with a connection open until connectedTimeoutMs, then expires the user', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // jdoe opens an app at 1 and works in it, sending nothing: idle from 1, expired at the
      // first sweep at or after 3001 (every 250 ms: 3250), not at the 1000 ms timeout.
      const events = hot('ao', values);
      expectObservable(
        events.pipe(track({ timeoutMs: 1_000, connectedTimeoutMs: 3_000 })),
        '^ 4000ms !',
      ).toBe('a 3249ms x', {
        a: 'changed [CORP\\jdoe]',
        x: 'changed [] expired [CORP\\jdoe]',
      });
    });
  });

  it('goes back to the session timeout once the connection is closed', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // Closed at 2: idle from 2, expired at the sweep of 1250.
      const events = hot('aoc', values);
      expectObservable(
        events.pipe(track({ timeoutMs: 1_000, connectedTimeoutMs: 3_000 })),
        '^ 4000ms !',
      ).toBe('a 1249ms x', {
        a: 'changed [CORP\\jdoe]',
        x: 'changed [] expired [CORP\\jdoe]',
      });
    });
  });

  it('stops its timers and completes when the events complete', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a--|', values).pipe(track({ republishMs: 1 }))).toBe('arr|', {
        a: 'changed [CORP\\jdoe]',
        r: 'all [CORP\\jdoe]',
      });
      expectObservable(cold<RelayEvent>('|').pipe(track({ republishMs: 1 }))).toBe('|');
    });
  });

  it('passes an error of the events on', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', values, new Error('socket gone')).pipe(track())).toBe(
        'a-#',
        { a: 'changed [CORP\\jdoe]' },
        new Error('socket gone'),
      );
    });
  });

  it('ignores events other than sessions, connections and the listener starting', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const other = createEvent('udp.error', 'udp:sessions', {
        message: 'x',
        listener: 'sessions',
      });
      expectObservable(cold('e-a|', { e: other, a: values.a }).pipe(track())).toBe('--a|', {
        a: 'changed [CORP\\jdoe]',
      });
    });
  });

  it('ignores an event its state refuses by its limits', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const sessions = new ActiveUserSessions({ maxUsers: 1, maxProxies: 1 });
      expectObservable(cold('a-b-s|', values).pipe(track({ sessions }))).toBe('a---s|', {
        a: 'changed [CORP\\jdoe]',
        s: 'changed []',
      });
    });
  });

  it('goes on from a given state in a later subscription, saying everything first', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const sessions = new ActiveUserSessions();
      const tracker = trackActiveUsers({ timeoutMs: 60_000, republishMs: 0, scheduler, sessions });
      const previous = (update: ActiveUsersUpdate) =>
        `${summary(update)} after [${update.previous.users.map((u) => u.userId).join(',')}]`;
      expectObservable(cold('a|', values).pipe(tracker, map(previous))).toBe('a|', {
        a: 'changed [CORP\\jdoe] after []',
      });
      // Subscribed again, as after a step error: jdoe is still there, and asmith comes next.
      expectObservable(cold('-b|', values).pipe(tracker, map(previous)), '---^').toBe('---rb|', {
        r: 'all [CORP\\jdoe] after [jdoe]',
        b: 'changed [CORP\\jdoe,EXT\\asmith] after [jdoe]',
      });
    });
  });

  it('starts afresh for every subscription', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const tracked = cold('a-s|', values).pipe(track());
      expectObservable(tracked).toBe('a-s|', { a: 'changed [CORP\\jdoe]', s: 'changed []' });
      expectObservable(tracked).toBe('a-s|', { a: 'changed [CORP\\jdoe]', s: 'changed []' });
    });
  });
});
