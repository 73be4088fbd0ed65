import { TestScheduler } from 'rxjs/testing';
import { createEvent, type RelayEvent } from '../../lib/events.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { ActiveUserSessions } from '../../lib/operators/active-user-sessions.js';
import { withinTrackingLimits } from '../../lib/operators/within-tracking-limits.js';
import type { ProxySessionKind } from '../../lib/qlik/proxy-session-events.js';
import { captureLog, type LogCapture } from '../support/log-capture.js';
import { droppedByReason } from '../support/metrics.js';
import { observableMatcher } from '../support/observable-matcher.js';
import { sessionEvent as sessionEventOn } from '../support/proxy-session-fixtures.js';

const NODE1 = 'qs-node1';
const NODE2 = 'QS-NODE2';
const sessionEvent = (kind: ProxySessionKind, user: string, hostName = NODE1): RelayEvent =>
  sessionEventOn(kind, user, hostName);

const values = {
  a: sessionEvent('connection.open', 'CORP\\jdoe'), // jdoe is followed already
  b: sessionEvent('session.start', 'EXT\\asmith'), // one user too many
  n: sessionEvent('session.start', 'CORP\\jdoe', NODE2), // one proxy too many
  s: sessionEvent('session.stop', 'EXT\\asmith'), // adds nothing
  l: createEvent('udp.listening', 'udp:sessions', {
    address: '127.0.0.1',
    port: 9997,
    listener: 'sessions',
  }),
};

describe('withinTrackingLimits', () => {
  let scheduler: TestScheduler;
  let metrics: RelayMetrics;
  let captured: LogCapture;
  let sessions: ActiveUserSessions;

  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
    metrics = new RelayMetrics();
    captured = captureLog();
    sessions = new ActiveUserSessions({ maxUsers: 1, maxProxies: 1 });
    sessions.apply(
      { kind: 'session.start', hostName: NODE1, userDirectory: 'CORP', userId: 'jdoe' },
      0,
    );
  });

  const within = () =>
    withinTrackingLimits(sessions, { log: captured.log, metrics, now: () => scheduler.now() });

  it('drops the events that would follow one user or proxy too many, and lets the rest through', async () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('l-a-b-n-s|', values).pipe(within())).toBe('l-a-----s|', values);
    });
    expect(await droppedByReason(metrics, 'udp:sessions')).toEqual({
      'user-limit': 1,
      'proxy-limit': 1,
    });
    expect(captured.warnings()).toEqual([
      expect.objectContaining({
        event: 'udp.dropped',
        component: 'udp:sessions',
        reason: 'user-limit',
        sender: '10.0.0.21:50321',
        dropped: 1,
        detail:
          'session.start of EXT\\asmith on qs-node1 dropped: 1 users are counted already ' +
          '(Relay.sessionEvents.maxTrackedUsers)',
      }),
      expect.objectContaining({
        reason: 'proxy-limit',
        dropped: 1,
        detail:
          'session.start of CORP\\jdoe on QS-NODE2 dropped: 1 proxies are counted already ' +
          '(Relay.sessionEvents.maxProxies)',
      }),
    ]);
  });

  it('writes one warning per reason per minute, and the rest when the events end', async () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('b-b-b|', values).pipe(within())).toBe('-----|');
    });
    expect(await droppedByReason(metrics, 'udp:sessions')).toEqual({ 'user-limit': 3 });
    expect(captured.warnings().map((w) => w.dropped)).toEqual([1, 2]);
  });

  it('passes an error of the events on, and completes with them', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', values, new Error('gone')).pipe(within())).toBe(
        'a-#',
        values,
        new Error('gone'),
      );
      expectObservable(cold<RelayEvent>('|').pipe(within())).toBe('|');
    });
  });
});
