import type { ProxySessionKind } from '../qlik/proxy-session-events.js';

/** What the tracker needs of one session or connection event. */
export interface SessionActivity {
  readonly kind: ProxySessionKind;
  readonly hostName: string;
  readonly userDirectory: string;
  readonly userId: string;
}

/** One user on one proxy. */
export interface UserOnServer {
  /** As first seen; the user is matched without regard to case. */
  readonly userDirectory: string;
  readonly userId: string;
  /** Sessions started and not yet stopped; the entry goes when the last one stops. */
  readonly sessions: number;
  /** When the user became active on this proxy, epoch ms. */
  readonly since: number;
  /**
   * When the user became active on any proxy and stayed so, epoch ms: the same on each of the
   * user's proxies, so the list keeps its order when the user leaves the first one.
   */
  readonly activeSince: number;
  /** The user's last event on this proxy, epoch ms; the session timeout counts from here. */
  readonly lastSeen: number;
}

/** A user whose time ran out on a proxy. */
export interface ExpiredUser extends UserOnServer {
  readonly hostName: string;
}

/** Active users by proxy host, then by user key (`userKeyOf`). */
export type ActiveSessions = ReadonlyMap<string, ReadonlyMap<string, UserOnServer>>;

export const NO_SESSIONS: ActiveSessions = new Map();

/** The state after an event, and whether a user became active or stopped being active. */
export interface SessionStep {
  readonly sessions: ActiveSessions;
  readonly membershipChanged: boolean;
}

/**
 * Directory and user id together: `CORP\jdoe` and `EXT\jdoe` are different people. Windows
 * directories and user names ignore case, so `corp\JDoe` is `CORP\jdoe`.
 */
export function userKeyOf(userDirectory: string, userId: string): string {
  return JSON.stringify([userDirectory.toLowerCase(), userId.toLowerCase()]);
}

/**
 * The state after one event at `now`. A session start counts one more session; a stop one fewer,
 * and the user leaves that proxy with the last. Opening a connection makes a user active that the
 * relay had not seen start (its session began before the relay did); opening or closing one
 * refreshes the user's last activity. A stop or close of an unknown user changes nothing.
 */
export function applySessionActivity(
  state: ActiveSessions,
  activity: SessionActivity,
  now: number,
): SessionStep {
  const { hostName, userDirectory, userId, kind } = activity;
  const key = userKeyOf(userDirectory, userId);
  const users = state.get(hostName);
  const known = users?.get(key);
  const unchanged = { sessions: state, membershipChanged: false };

  if (known === undefined) {
    if (kind === 'session.stop' || kind === 'connection.close') return unchanged;
    const activeSince = activeSinceOf(state, key) ?? now;
    const added: UserOnServer = {
      userDirectory,
      userId,
      sessions: 1,
      since: now,
      activeSince,
      lastSeen: now,
    };
    return { sessions: withUser(state, hostName, key, added), membershipChanged: true };
  }
  if (kind === 'session.stop' && known.sessions <= 1) {
    return { sessions: withoutUsers(state, hostName, [key]), membershipChanged: true };
  }
  const sessions =
    known.sessions + (kind === 'session.start' ? 1 : kind === 'session.stop' ? -1 : 0);
  const updated: UserOnServer = { ...known, sessions, lastSeen: now };
  return { sessions: withUser(state, hostName, key, updated), membershipChanged: false };
}

/** Removes every user whose last event on a proxy is `timeoutMs` or more before `now`. */
export function expireIdleSessions(
  state: ActiveSessions,
  now: number,
  timeoutMs: number,
): { readonly sessions: ActiveSessions; readonly expired: readonly ExpiredUser[] } {
  const expired: ExpiredUser[] = [];
  let sessions = state;
  for (const [hostName, users] of state) {
    const idle = [...users].filter(([, user]) => now - user.lastSeen >= timeoutMs);
    if (idle.length === 0) continue;
    expired.push(...idle.map(([, user]) => ({ ...user, hostName })));
    sessions = withoutUsers(
      sessions,
      hostName,
      idle.map(([key]) => key),
    );
  }
  return { sessions, expired };
}

/** One active user, on every proxy where the user is active. */
export interface ActiveUser {
  readonly userDirectory: string;
  readonly userId: string;
  /** Proxy hosts, in the order the user became active on them. */
  readonly servers: readonly string[];
}

/** Who is active: what the count, list and per-server topics say. */
export interface ActiveUsers {
  /** Each user (directory and user id) once, in the order they became active. */
  readonly users: readonly ActiveUser[];
  /** Every proxy host with at least one active user, and how many. */
  readonly perServer: ReadonlyMap<string, number>;
}

export const NOBODY: ActiveUsers = { users: [], perServer: new Map() };

export function activeUsersOf(state: ActiveSessions): ActiveUsers {
  const byUser = new Map<string, { first: UserOnServer; servers: [string, number][] }>();
  const perServer = new Map<string, number>();
  for (const [hostName, users] of state) {
    perServer.set(hostName, users.size);
    for (const [key, user] of users) {
      const entry = byUser.get(key);
      if (entry === undefined) byUser.set(key, { first: user, servers: [[hostName, user.since]] });
      else {
        entry.servers.push([hostName, user.since]);
        if (user.since < entry.first.since) entry.first = user;
      }
    }
  }
  const users = [...byUser.values()]
    .sort((a, b) => a.first.activeSince - b.first.activeSince) // stable: ties keep map order
    .map(({ first, servers }) => ({
      userDirectory: first.userDirectory,
      userId: first.userId,
      servers: servers.sort((a, b) => a[1] - b[1]).map(([host]) => host),
    }));
  return { users, perServer };
}

/** When the user became active, if the user is active on some proxy. */
function activeSinceOf(state: ActiveSessions, key: string): number | undefined {
  for (const users of state.values()) {
    const user = users.get(key);
    if (user !== undefined) return user.activeSince;
  }
  return undefined;
}

function withUser(
  state: ActiveSessions,
  hostName: string,
  key: string,
  user: UserOnServer,
): ActiveSessions {
  const users = new Map(state.get(hostName));
  users.set(key, user);
  return new Map(state).set(hostName, users);
}

/** Without these users on that host; a host left with nobody is forgotten. */
function withoutUsers(
  state: ActiveSessions,
  hostName: string,
  keys: readonly string[],
): ActiveSessions {
  const users = new Map(state.get(hostName));
  for (const key of keys) users.delete(key);
  const next = new Map(state);
  if (users.size === 0) next.delete(hostName);
  else next.set(hostName, users);
  return next;
}
