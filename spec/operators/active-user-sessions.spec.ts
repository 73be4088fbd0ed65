import {
  ActiveUserSessions,
  type IdleLimits,
  type SessionActivity,
} from '../../lib/operators/active-user-sessions.js';
import type { ProxySessionKind } from '../../lib/qlik/proxy-session-events.js';

const NODE1 = 'qs-node1.corp.example.com';
const NODE2 = 'QS-NODE2';

function activity(kind: ProxySessionKind, user: string, hostName = NODE1): SessionActivity {
  const [userDirectory = '', userId = ''] = user.split('\\');
  return { kind, hostName, userDirectory, userId };
}

type Step = readonly [ProxySessionKind, string, string?, number?];

/** Applies `[kind, DIR\user, host?, at]` steps in order to `state` (a new one by default). */
function run(steps: readonly Step[], state = new ActiveUserSessions()): ActiveUserSessions {
  for (const [kind, user, host, at = 0] of steps) state.apply(activity(kind, user, host), at);
  return state;
}

/** Active users as `DIR\user` and the count per server, for short assertions. */
function summary(state: ActiveUserSessions) {
  const active = state.activeUsers();
  return {
    users: active.users.map((user) => `${user.userDirectory}\\${user.userId}`),
    perServer: Object.fromEntries(active.perServer),
  };
}

describe('ActiveUserSessions.apply', () => {
  it('makes a user active with a session start, and inactive with its stop', () => {
    const state = new ActiveUserSessions();
    const started = state.apply(activity('session.start', 'CORP\\jdoe'), 0);
    expect(started).toEqual({ membershipChanged: true });
    expect(summary(state)).toEqual({ users: ['CORP\\jdoe'], perServer: { [NODE1]: 1 } });

    const stopped = state.apply(activity('session.stop', 'CORP\\jdoe'), 5);
    expect(stopped).toEqual({ membershipChanged: true });
    expect(summary(state)).toEqual({ users: [], perServer: {} });
    expect([state.userCount, state.proxyCount]).toEqual([0, 0]);
  });

  it('keeps a user with two sessions active until both stopped', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe'],
      ['session.start', 'CORP\\jdoe'],
    ]);
    const one = state.apply(activity('session.stop', 'CORP\\jdoe'), 1);
    expect(one.membershipChanged).toBe(false);
    expect(summary(state).users).toEqual(['CORP\\jdoe']);
    const none = state.apply(activity('session.stop', 'CORP\\jdoe'), 2);
    expect(none.membershipChanged).toBe(true);
    expect(summary(state).users).toEqual([]);
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
    run([['session.stop', 'CORP\\jdoe']], state);
    expect(summary(state).users).toEqual(['CORP\\jdoe', 'EXT\\jdoe']);
    run([['session.stop', 'ext\\jdoe']], state);
    expect(summary(state).users).toEqual(['CORP\\jdoe']);
  });

  it('counts a user once overall but on every proxy where the user is active', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 1],
      ['session.start', 'CORP\\jdoe', NODE2, 2],
    ]);
    expect(state.activeUsers().users).toEqual([
      { userDirectory: 'CORP', userId: 'jdoe', servers: [NODE1, NODE2] },
    ]);
    expect(summary(state).perServer).toEqual({ [NODE1]: 1, [NODE2]: 1 });
    expect(state.userCount).toBe(1);
    // A stop on one proxy does not end the session on the other (Butler removed the user).
    run([['session.stop', 'CORP\\jdoe', NODE2]], state);
    expect(summary(state)).toEqual({ users: ['CORP\\jdoe'], perServer: { [NODE1]: 1 } });
  });

  it('makes a user active with an open connection whose session began before the relay saw it', () => {
    const state = new ActiveUserSessions();
    expect(state.apply(activity('connection.open', 'CORP\\jdoe'), 0).membershipChanged).toBe(true);
    expect(state.entry(NODE1, 'CORP', 'jdoe')).toMatchObject({ sessions: 1, connections: 1 });
    run([['session.stop', 'CORP\\jdoe']], state);
    expect(summary(state).users).toEqual([]);
  });

  it('changes no membership with connections of a known user; counts them and the last activity', () => {
    const state = run([['session.start', 'CORP\\jdoe', NODE1, 0]]);
    const opened = state.apply(activity('connection.open', 'CORP\\jdoe'), 40);
    const second = state.apply(activity('connection.open', 'CORP\\jdoe'), 50);
    expect(state.entry(NODE1, 'corp', 'JDOE')).toMatchObject({ connections: 2, lastSeen: 50 });
    const closed = state.apply(activity('connection.close', 'CORP\\jdoe'), 70);
    expect([opened, second, closed].map((step) => step.membershipChanged)).toEqual([
      false,
      false,
      false,
    ]);
    expect(state.entry(NODE1, 'CORP', 'jdoe')).toEqual({
      userDirectory: 'CORP',
      userId: 'jdoe',
      sessions: 1,
      connections: 1,
      since: 0,
      activeSince: 0,
      lastSeen: 70,
    });
  });

  it('never counts connections below zero (a close whose open it did not see)', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['connection.close', 'CORP\\jdoe', NODE1, 10],
      ['connection.open', 'CORP\\jdoe', NODE1, 20],
    ]);
    expect(state.entry(NODE1, 'CORP', 'jdoe')?.connections).toBe(1);
  });

  it('ignores a stop or a close for a user it does not know', () => {
    const state = run([['session.start', 'CORP\\jdoe']]);
    const before = state.activeUsers();
    for (const kind of ['session.stop', 'connection.close'] as const) {
      expect(state.apply(activity(kind, 'EXT\\asmith'), 1)).toEqual({ membershipChanged: false });
      expect(state.apply(activity(kind, 'CORP\\jdoe', NODE2), 1)).toEqual({
        membershipChanged: false,
      });
    }
    expect(state.activeUsers()).toEqual(before);
    expect(state.entry(NODE1, 'CORP', 'jdoe')?.lastSeen).toBe(0);
  });

  it('hands out copies: what it said before does not change with later events', () => {
    const state = run([['session.start', 'CORP\\jdoe']]);
    const said = state.activeUsers();
    const entry = state.entry(NODE1, 'CORP', 'jdoe');
    const before = JSON.stringify({ said, perServer: [...said.perServer], entry });
    run(
      [
        ['session.start', 'CORP\\jdoe', NODE2, 1],
        ['connection.open', 'CORP\\jdoe', NODE1, 2],
        ['session.start', 'EXT\\asmith', NODE1, 3],
        ['session.stop', 'CORP\\jdoe', NODE1, 4],
      ],
      state,
    );
    expect(JSON.stringify({ said, perServer: [...said.perServer], entry })).toBe(before);
    expect(summary(state).users).toEqual(['CORP\\jdoe', 'EXT\\asmith']);
  });
});

describe('ActiveUserSessions limits', () => {
  it('refuses an event that would follow one user more than maxUsers, and nothing else', () => {
    const state = new ActiveUserSessions({ maxUsers: 2, maxProxies: 10 });
    run(
      [
        ['session.start', 'CORP\\jdoe', NODE1],
        ['session.start', 'EXT\\asmith', NODE1],
      ],
      state,
    );
    for (const kind of ['session.start', 'connection.open'] as const) {
      expect(state.refusalOf(activity(kind, 'CORP\\bnew'))).toBe('user-limit');
      expect(state.apply(activity(kind, 'CORP\\bnew'), 1)).toEqual({
        membershipChanged: false,
        refused: 'user-limit',
      });
    }
    expect(summary(state).users).toEqual(['CORP\\jdoe', 'EXT\\asmith']);
    // Users already followed go on, on another proxy too; stops and closes are never refused.
    expect(state.apply(activity('session.start', 'corp\\JDOE', NODE2), 2)).toEqual({
      membershipChanged: true,
    });
    expect(state.refusalOf(activity('session.stop', 'CORP\\bnew'))).toBeUndefined();
    expect(state.refusalOf(activity('connection.close', 'CORP\\bnew'))).toBeUndefined();
    // A place freed is a place taken.
    run([['session.stop', 'EXT\\asmith', NODE1]], state);
    expect(state.apply(activity('session.start', 'CORP\\bnew'), 3).membershipChanged).toBe(true);
    expect(state.userCount).toBe(2);
  });

  it('refuses an event from one proxy more than maxProxies', () => {
    const state = new ActiveUserSessions({ maxUsers: 10, maxProxies: 1 });
    run([['session.start', 'CORP\\jdoe', NODE1]], state);
    expect(state.apply(activity('session.start', 'CORP\\jdoe', NODE2), 1)).toEqual({
      membershipChanged: false,
      refused: 'proxy-limit',
    });
    expect(state.refusalOf(activity('connection.open', 'EXT\\asmith', NODE2))).toBe('proxy-limit');
    expect(state.refusalOf(activity('session.start', 'EXT\\asmith', NODE1))).toBeUndefined();
    expect(summary(state)).toEqual({ users: ['CORP\\jdoe'], perServer: { [NODE1]: 1 } });
    expect(state.proxyCount).toBe(1);
  });
});

describe('ActiveUserSessions.expireIdle', () => {
  const LIMITS: IdleLimits = { timeoutMs: 1_000, connectedTimeoutMs: 10_000 };

  it('removes a user whose last event on a proxy is the timeout or longer ago', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['session.start', 'EXT\\asmith', NODE2, 500],
    ]);
    expect(state.expireIdle(999, LIMITS)).toEqual([]);
    expect(summary(state).users).toEqual(['CORP\\jdoe', 'EXT\\asmith']);

    expect(state.expireIdle(1_000, LIMITS)).toEqual([
      {
        hostName: NODE1,
        userDirectory: 'CORP',
        userId: 'jdoe',
        sessions: 1,
        connections: 0,
        since: 0,
        activeSince: 0,
        lastSeen: 0,
      },
    ]);
    expect(summary(state)).toEqual({ users: ['EXT\\asmith'], perServer: { [NODE2]: 1 } });
  });

  it('counts from the last connection event, so a user who keeps opening apps stays', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['connection.open', 'CORP\\jdoe', NODE1, 800],
      ['connection.close', 'CORP\\jdoe', NODE1, 1_500],
    ]);
    expect(state.expireIdle(2_499, LIMITS)).toEqual([]);
    expect(state.expireIdle(2_500, LIMITS)).toHaveLength(1);
  });

  it('keeps a user with a connection open (an app in use) until the longer limit', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['connection.open', 'CORP\\jdoe', NODE1, 100], // works in one app, sends nothing more
      ['session.start', 'EXT\\asmith', NODE1, 100], // no connection: the short timeout
    ]);
    expect(state.expireIdle(1_100, LIMITS).map((user) => user.userId)).toEqual(['asmith']);
    expect(state.expireIdle(10_099, LIMITS)).toEqual([]);
    expect(summary(state).users).toEqual(['CORP\\jdoe']);
    expect(state.expireIdle(10_100, LIMITS)).toEqual([
      expect.objectContaining({ userId: 'jdoe', connections: 1, lastSeen: 100 }),
    ]);
    expect(summary(state)).toEqual({ users: [], perServer: {} });
  });

  it('applies the short timeout again once the connections are closed', () => {
    const state = run([
      ['connection.open', 'CORP\\jdoe', NODE1, 0],
      ['connection.close', 'CORP\\jdoe', NODE1, 200],
    ]);
    expect(state.expireIdle(1_199, LIMITS)).toEqual([]);
    expect(state.expireIdle(1_200, LIMITS)).toHaveLength(1);
  });

  it('never keeps a connected user shorter than one without a connection', () => {
    const state = run([['connection.open', 'CORP\\jdoe', NODE1, 0]]);
    const shorter: IdleLimits = { timeoutMs: 1_000, connectedTimeoutMs: 10 };
    expect(state.expireIdle(999, shorter)).toEqual([]);
    expect(state.expireIdle(1_000, shorter)).toHaveLength(1);
  });

  it('drops every session of the user on that proxy at once, and keeps the user elsewhere', () => {
    const state = run([
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['session.start', 'CORP\\jdoe', NODE1, 0],
      ['session.start', 'CORP\\jdoe', NODE2, 900],
    ]);
    const expired = state.expireIdle(1_200, LIMITS);
    expect(expired.map((user) => [user.hostName, user.sessions])).toEqual([[NODE1, 2]]);
    expect(summary(state)).toEqual({ users: ['CORP\\jdoe'], perServer: { [NODE2]: 1 } });
    expect(state.userCount).toBe(1);
  });
});

describe('ActiveUserSessions.activeUsers', () => {
  it('lists users in the order they became active, each with the spelling first seen', () => {
    const state = run([
      ['session.start', 'EXT\\asmith', NODE2, 10],
      ['session.start', 'CORP\\jdoe', NODE1, 5],
      ['session.start', 'corp\\JDOE', NODE2, 20],
    ]);
    expect(state.activeUsers().users).toEqual([
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
    expect(state.activeUsers().users.map((user) => user.userId)).toEqual(['jdoe', 'asmith']);
    // Once gone everywhere, a user who comes back is last.
    run(
      [
        ['session.stop', 'CORP\\jdoe', NODE2, 40],
        ['session.start', 'CORP\\jdoe', NODE1, 50],
      ],
      state,
    );
    expect(state.activeUsers().users.map((user) => user.userId)).toEqual(['asmith', 'jdoe']);
  });

  it('says nobody for an empty state', () => {
    expect(new ActiveUserSessions().activeUsers()).toEqual({ users: [], perServer: new Map() });
  });
});
