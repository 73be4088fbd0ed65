import {
  NO_SESSIONS,
  activeUsersOf,
  applySessionActivity,
  expireIdleSessions,
  type ActiveSessions,
  type SessionActivity,
} from '../../lib/operators/active-user-sessions.js';
import type { ProxySessionKind } from '../../lib/qlik/proxy-session-events.js';

const NODE1 = 'qs-node1.corp.example.com';
const NODE2 = 'QS-NODE2';

function activity(kind: ProxySessionKind, user: string, hostName = NODE1): SessionActivity {
  const [userDirectory = '', userId = ''] = user.split('\\');
  return { kind, hostName, userDirectory, userId };
}

/** Applies `[kind, DIR\user, host?, at]` steps in order and returns the state. */
function run(
  steps: readonly (readonly [ProxySessionKind, string, string?, number?])[],
  from: ActiveSessions = NO_SESSIONS,
): ActiveSessions {
  return steps.reduce(
    (state, [kind, user, host, at = 0]) =>
      applySessionActivity(state, activity(kind, user, host), at).sessions,
    from,
  );
}

/** Active users as `DIR\user` and the count per server, for short assertions. */
function summary(state: ActiveSessions) {
  const active = activeUsersOf(state);
  return {
    users: active.users.map((user) => `${user.userDirectory}\\${user.userId}`),
    perServer: Object.fromEntries(active.perServer),
  };
}

describe('applySessionActivity', () => {
  it('makes a user active with a session start, and inactive with its stop', () => {
    const started = applySessionActivity(NO_SESSIONS, activity('session.start', 'CORP\\jdoe'), 0);
    expect(started.membershipChanged).toBe(true);
    expect(summary(started.sessions)).toEqual({ users: ['CORP\\jdoe'], perServer: { [NODE1]: 1 } });

    const stopped = applySessionActivity(
      started.sessions,
      activity('session.stop', 'CORP\\jdoe'),
      5,
    );
    expect(stopped.membershipChanged).toBe(true);
    expect(summary(stopped.sessions)).toEqual({ users: [], perServer: {} });
  });

  it('keeps a user with two sessions active until both stopped', () => {
    const two = run([
      ['session.start', 'CORP\\jdoe'],
      ['session.start', 'CORP\\jdoe'],
    ]);
    const one = applySessionActivity(two, activity('session.stop', 'CORP\\jdoe'), 1);
    expect(one.membershipChanged).toBe(false);
    expect(summary(one.sessions).users).toEqual(['CORP\\jdoe']);
    const none = applySessionActivity(one.sessions, activity('session.stop', 'CORP\\jdoe'), 2);
    expect(none.membershipChanged).toBe(true);
    expect(summary(none.sessions).users).toEqual([]);
  });

  it('tells users apart by directory and user id, ignoring case', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe'],
      ['session.start', 'EXT\\jdoe'],
      ['session.start', 'corp\\JDOE'], // CORP\jdoe's second session
    ]);
    expect(summary(state)).toEqual({
      users: ['CORP\\jdoe', 'EXT\\jdoe'],
      perServer: { [NODE1]: 2 },
    });
    const afterOneStop = run([['session.stop', 'CORP\\jdoe']], state);
    expect(summary(afterOneStop).users).toEqual(['CORP\\jdoe', 'EXT\\jdoe']);
    const afterEXT = run([['session.stop', 'ext\\jdoe']], afterOneStop);
    expect(summary(afterEXT).users).toEqual(['CORP\\jdoe']);
  });

  it('counts a user once overall but on every proxy where the user is active', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 1],
      ['session.start', 'CORP\\jdoe', NODE2, 2],
    ]);
    expect(activeUsersOf(state).users).toEqual([
      { userDirectory: 'CORP', userId: 'jdoe', servers: [NODE1, NODE2] },
    ]);
    expect(summary(state).perServer).toEqual({ [NODE1]: 1, [NODE2]: 1 });
    // A stop on one proxy does not end the session on the other (Butler removed the user).
    const stoppedOnNode2 = run([['session.stop', 'CORP\\jdoe', NODE2]], state);
    expect(summary(stoppedOnNode2)).toEqual({ users: ['CORP\\jdoe'], perServer: { [NODE1]: 1 } });
  });

  it('makes a user active with an open connection whose session began before the relay saw it', () => {
    const opened = applySessionActivity(NO_SESSIONS, activity('connection.open', 'CORP\\jdoe'), 0);
    expect(opened.membershipChanged).toBe(true);
    const stopped = run([['session.stop', 'CORP\\jdoe']], opened.sessions);
    expect(summary(stopped).users).toEqual([]);
  });

  it('changes no membership with connections of a known user, only the last activity', () => {
    const state = run([['session.start', 'CORP\\jdoe', NODE1, 0]]);
    const opened = applySessionActivity(state, activity('connection.open', 'CORP\\jdoe'), 40);
    const closed = applySessionActivity(
      opened.sessions,
      activity('connection.close', 'CORP\\jdoe'),
      70,
    );
    expect([opened.membershipChanged, closed.membershipChanged]).toEqual([false, false]);
    expect(closed.sessions.get(NODE1)?.values().next().value).toMatchObject({
      sessions: 1,
      since: 0,
      activeSince: 0,
      lastSeen: 70,
    });
  });

  it('ignores a stop or a close for a user it does not know', () => {
    const state = run([['session.start', 'CORP\\jdoe']]);
    for (const kind of ['session.stop', 'connection.close'] as const) {
      const step = applySessionActivity(state, activity(kind, 'EXT\\asmith'), 1);
      expect(step).toEqual({ sessions: state, membershipChanged: false });
      expect(step.sessions).toBe(state);
    }
  });

  it('leaves the state it was given untouched', () => {
    const state = run([['session.start', 'CORP\\jdoe']]);
    const before = summary(state);
    run(
      [
        ['session.stop', 'CORP\\jdoe'],
        ['session.start', 'EXT\\asmith'],
      ],
      state,
    );
    expect(summary(state)).toEqual(before);
  });
});

describe('expireIdleSessions', () => {
  const TIMEOUT = 1_000;

  it('removes a user whose last event on a proxy is the timeout or longer ago', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['session.start', 'EXT\\asmith', NODE2, 500],
    ]);
    expect(expireIdleSessions(state, 999, TIMEOUT)).toEqual({ sessions: state, expired: [] });

    const { sessions, expired } = expireIdleSessions(state, 1_000, TIMEOUT);
    expect(expired).toEqual([
      {
        hostName: NODE1,
        userDirectory: 'CORP',
        userId: 'jdoe',
        sessions: 1,
        since: 0,
        activeSince: 0,
        lastSeen: 0,
      },
    ]);
    expect(summary(sessions)).toEqual({ users: ['EXT\\asmith'], perServer: { [NODE2]: 1 } });
  });

  it('counts from the last connection event, so a user who keeps opening apps stays', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['connection.open', 'CORP\\jdoe', NODE1, 800],
      ['connection.close', 'CORP\\jdoe', NODE1, 1_500],
    ]);
    expect(expireIdleSessions(state, 2_499, TIMEOUT).expired).toEqual([]);
    expect(expireIdleSessions(state, 2_500, TIMEOUT).expired).toHaveLength(1);
  });

  it('drops every session of the user on that proxy at once, and keeps the user elsewhere', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['session.start', 'CORP\\jdoe', NODE2, 900],
    ]);
    const { sessions, expired } = expireIdleSessions(state, 1_200, TIMEOUT);
    expect(expired.map((user) => [user.hostName, user.sessions])).toEqual([[NODE1, 2]]);
    expect(summary(sessions)).toEqual({ users: ['CORP\\jdoe'], perServer: { [NODE2]: 1 } });
  });
});

describe('activeUsersOf', () => {
  it('lists users in the order they became active, each with the spelling first seen', () => {
    const state = run([
      ['session.start', 'EXT\\asmith', NODE2, 10],
      ['session.start', 'CORP\\jdoe', NODE1, 5],
      ['session.start', 'corp\\JDOE', NODE2, 20],
    ]);
    expect(activeUsersOf(state).users).toEqual([
      { userDirectory: 'CORP', userId: 'jdoe', servers: [NODE1, NODE2] },
      { userDirectory: 'EXT', userId: 'asmith', servers: [NODE2] },
    ]);
  });

  it('keeps a user in place while the user stays active, moving from one proxy to another', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['session.start', 'EXT\\asmith', NODE2, 10],
      ['session.start', 'CORP\\jdoe', NODE2, 20],
      ['session.stop', 'CORP\\jdoe', NODE1, 30],
    ]);
    expect(activeUsersOf(state).users.map((user) => user.userId)).toEqual(['jdoe', 'asmith']);
    // Once gone everywhere, a user who comes back is last.
    const back = run(
      [
        ['session.stop', 'CORP\\jdoe', NODE2, 40],
        ['session.start', 'CORP\\jdoe', NODE1, 50],
      ],
      state,
    );
    expect(activeUsersOf(back).users.map((user) => user.userId)).toEqual(['asmith', 'jdoe']);
  });

  it('says nobody for an empty state', () => {
    expect(activeUsersOf(NO_SESSIONS)).toEqual({ users: [], perServer: new Map() });
  });
});
