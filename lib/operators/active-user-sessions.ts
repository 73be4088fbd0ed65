import type { ProxySessionKind } from '../qlik/proxy-session-events.js';

/** What the tracker needs of one session or connection event. */
export interface SessionActivity {
  readonly kind: ProxySessionKind;
  readonly hostName: string;
  readonly userDirectory: string;
  readonly userId: string;
}

/** One user on one proxy, as a copy of what is tracked. */
export interface UserOnServer {
  /** As first seen while active; the user is matched without regard to case. */
  readonly userDirectory: string;
  readonly userId: string;
  /** Sessions started and not yet stopped; the entry goes when the last one stops. */
  readonly sessions: number;
  /** Connections opened and not yet closed (never below 0). */
  readonly connections: number;
  /** When the user became active on this proxy, epoch ms. */
  readonly since: number;
  /**
   * When the user became active on any proxy and stayed so, epoch ms: the same on each of the
   * user's proxies, so the list keeps its order when the user leaves the first one.
   */
  readonly activeSince: number;
  /** The user's last event on this proxy, epoch ms; the timeouts count from here. */
  readonly lastSeen: number;
}

/** A user whose time ran out on a proxy. */
export interface ExpiredUser extends UserOnServer {
  readonly hostName: string;
}

/** How long a user stays active on a proxy without an event there. */
export interface IdleLimits {
  /** With no connection open. */
  readonly timeoutMs: number;
  /** With a connection open (an app in use sends no events); the longer of the two applies. */
  readonly connectedTimeoutMs: number;
}

/** How much is followed at most, so datagrams from the network cannot grow the state unbounded. */
export interface TrackingLimits {
  /** Users (directory and user id) on all proxies together. */
  readonly maxUsers: number;
  readonly maxProxies: number;
}

/** Why an event that would add a user or a proxy is not followed. */
export type TrackingRefusal = 'user-limit' | 'proxy-limit';

/** What one event did to the active users. */
export interface SessionStep {
  /** A user became active or stopped being active on a proxy. */
  readonly membershipChanged: boolean;
  /** Set when the event was not followed because of the limits. */
  readonly refused?: TrackingRefusal;
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

const UNLIMITED: TrackingLimits = { maxUsers: Infinity, maxProxies: Infinity };

/** An active user, held once however many proxies the user is active on. */
interface TrackedUser {
  readonly key: string;
  readonly userDirectory: string;
  readonly userId: string;
  readonly activeSince: number;
  /** Proxies the user is active on; the user is forgotten at 0. */
  proxies: number;
}

/** The user's standing on one proxy, updated in place. */
interface UserEntry {
  readonly user: TrackedUser;
  sessions: number;
  connections: number;
  readonly since: number;
  lastSeen: number;
}

/**
 * Directory and user id together: `CORP\jdoe` and `EXT\jdoe` are different people. Windows
 * directories and user names ignore case, so `corp\JDoe` is `CORP\jdoe`.
 */
export function userKeyOf(userDirectory: string, userId: string): string {
  return JSON.stringify([userDirectory.toLowerCase(), userId.toLowerCase()]);
}

/**
 * Who is active on which proxy, from the proxy's session and connection events. Updated in place,
 * so an event costs the same however many users are active; `activeUsers()` hands out copies.
 * One owner at a time (the tracker): it is not meant to be shared by concurrent readers.
 */
export class ActiveUserSessions {
  /** Entries by proxy host, then by user key; a host with nobody is forgotten. */
  private readonly hosts = new Map<string, Map<string, UserEntry>>();
  /** Every active user by key, in the order they became active. */
  private readonly users = new Map<string, TrackedUser>();

  constructor(private readonly limits: TrackingLimits = UNLIMITED) {}

  /** Users active on at least one proxy. */
  get userCount(): number {
    return this.users.size;
  }

  get proxyCount(): number {
    return this.hosts.size;
  }

  /**
   * Whether the event would be refused by the limits: only an event that makes a user active on
   * a proxy where the user was not can add anything.
   */
  refusalOf(activity: SessionActivity): TrackingRefusal | undefined {
    const { kind, hostName } = activity;
    if (kind === 'session.stop' || kind === 'connection.close') return undefined;
    const users = this.hosts.get(hostName);
    const key = userKeyOf(activity.userDirectory, activity.userId);
    if (users?.has(key)) return undefined;
    if (users === undefined && this.hosts.size >= this.limits.maxProxies) return 'proxy-limit';
    if (!this.users.has(key) && this.users.size >= this.limits.maxUsers) return 'user-limit';
    return undefined;
  }

  /**
   * Applies one event at `now`. A session start counts one more session; a stop one fewer, and
   * the user leaves that proxy with the last. Opening a connection makes a user active that the
   * relay had not seen start (its session began before the relay did); opening and closing count
   * the user's open connections. Every event refreshes the user's last activity. A stop or close
   * of an unknown user changes nothing, and an event beyond the limits is refused.
   */
  apply(activity: SessionActivity, now: number): SessionStep {
    const { hostName, userDirectory, userId, kind } = activity;
    const key = userKeyOf(userDirectory, userId);
    const entry = this.hosts.get(hostName)?.get(key);

    if (entry === undefined) {
      if (kind === 'session.stop' || kind === 'connection.close') {
        return { membershipChanged: false };
      }
      const refused = this.refusalOf(activity);
      if (refused !== undefined) return { membershipChanged: false, refused };
      this.add(hostName, key, activity, kind === 'connection.open' ? 1 : 0, now);
      return { membershipChanged: true };
    }
    entry.lastSeen = now;
    switch (kind) {
      case 'session.start':
        entry.sessions += 1;
        break;
      case 'session.stop':
        if (entry.sessions <= 1) {
          this.remove(hostName, key);
          return { membershipChanged: true };
        }
        entry.sessions -= 1;
        break;
      case 'connection.open':
        entry.connections += 1;
        break;
      case 'connection.close':
        entry.connections = Math.max(0, entry.connections - 1);
        break;
    }
    return { membershipChanged: false };
  }

  /**
   * Removes every user whose last event on a proxy is too long ago: `timeoutMs` with no connection
   * open there, the longer of `connectedTimeoutMs` and `timeoutMs` with one.
   */
  expireIdle(now: number, limits: IdleLimits): ExpiredUser[] {
    const connectedTimeoutMs = Math.max(limits.connectedTimeoutMs, limits.timeoutMs);
    const expired: ExpiredUser[] = [];
    for (const [hostName, users] of this.hosts) {
      for (const [key, entry] of users) {
        const limit = entry.connections > 0 ? connectedTimeoutMs : limits.timeoutMs;
        if (now - entry.lastSeen < limit) continue;
        expired.push({ ...copyOf(entry), hostName });
        this.remove(hostName, key); // deleting the current entry keeps the iteration valid
      }
    }
    return expired;
  }

  /** A copy of the user's standing on that proxy, if the user is active there. */
  entry(hostName: string, userDirectory: string, userId: string): UserOnServer | undefined {
    const entry = this.hosts.get(hostName)?.get(userKeyOf(userDirectory, userId));
    return entry && copyOf(entry);
  }

  /** Who is active now, as a copy later events do not change. */
  activeUsers(): ActiveUsers {
    const servers = new Map<string, [string, number][]>();
    const perServer = new Map<string, number>();
    for (const [hostName, users] of this.hosts) {
      perServer.set(hostName, users.size);
      for (const [key, entry] of users) {
        const list = servers.get(key);
        if (list === undefined) servers.set(key, [[hostName, entry.since]]);
        else list.push([hostName, entry.since]);
      }
    }
    const users = [...this.users.values()]
      .sort((a, b) => a.activeSince - b.activeSince) // stable: ties keep the order of arrival
      .map((user) => ({
        userDirectory: user.userDirectory,
        userId: user.userId,
        servers: (servers.get(user.key) ?? []).sort((a, b) => a[1] - b[1]).map(([host]) => host),
      }));
    return { users, perServer };
  }

  private add(
    hostName: string,
    key: string,
    activity: SessionActivity,
    connections: number,
    now: number,
  ): void {
    let user = this.users.get(key);
    if (user === undefined) {
      const { userDirectory, userId } = activity;
      user = { key, userDirectory, userId, activeSince: now, proxies: 0 };
      this.users.set(key, user);
    }
    user.proxies += 1;
    let users = this.hosts.get(hostName);
    if (users === undefined) {
      users = new Map();
      this.hosts.set(hostName, users);
    }
    users.set(key, { user, sessions: 1, connections, since: now, lastSeen: now });
  }

  private remove(hostName: string, key: string): void {
    const users = this.hosts.get(hostName);
    const entry = users?.get(key);
    if (users === undefined || entry === undefined) return;
    users.delete(key);
    if (users.size === 0) this.hosts.delete(hostName);
    entry.user.proxies -= 1;
    if (entry.user.proxies === 0) this.users.delete(key);
  }
}

function copyOf(entry: UserEntry): UserOnServer {
  const { user, sessions, connections, since, lastSeen } = entry;
  return {
    userDirectory: user.userDirectory,
    userId: user.userId,
    sessions,
    connections,
    since,
    activeSince: user.activeSince,
    lastSeen,
  };
}
