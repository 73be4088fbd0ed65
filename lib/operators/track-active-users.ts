import {
  EMPTY,
  asyncScheduler,
  endWith,
  filter,
  interval,
  map,
  merge,
  scan,
  takeWhile,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import type { RelayEvent } from '../events.js';
import { isProxySessionEvent } from '../qlik/proxy-session-events.js';
import {
  NOBODY,
  NO_SESSIONS,
  activeUsersOf,
  applySessionActivity,
  expireIdleSessions,
  type ActiveSessions,
  type ActiveUsers,
  type ExpiredUser,
} from './active-user-sessions.js';

export interface TrackActiveUsersOptions {
  /** A user with no event on a proxy for this long is no longer active there. */
  readonly timeoutMs: number;
  /** Emit the whole state again this often, changed or not; 0 = on change only. */
  readonly republishMs: number;
  /** Clock and timers; defaults to the async scheduler (a test passes its own). */
  readonly scheduler?: SchedulerLike;
}

/** What changed about the active users, or everything again. */
export interface ActiveUsersUpdate {
  readonly active: ActiveUsers;
  /** What the previous update said (nobody before the first). */
  readonly previous: ActiveUsers;
  /** Users whose session timed out in this step. */
  readonly expired: readonly ExpiredUser[];
  /** Say everything, changed or not: the listener (re)started, or it is time to republish. */
  readonly republish: boolean;
}

type Input =
  | { readonly type: 'event'; readonly event: RelayEvent }
  | { readonly type: 'sweep' | 'republish' | 'end' };

interface Tracking {
  readonly sessions: ActiveSessions;
  /** Always `activeUsersOf(sessions)`, kept so it is computed only when membership changes. */
  readonly active: ActiveUsers;
  /** What this step has to say, if anything. */
  readonly update: ActiveUsersUpdate | undefined;
}

const INITIAL: Tracking = { sessions: NO_SESSIONS, active: NOBODY, update: undefined };
const SWEEP: Input = { type: 'sweep' };
const REPUBLISH: Input = { type: 'republish' };
const END: Input = { type: 'end' };

/** Expired sessions are looked for this often: a quarter of the timeout, within these bounds. */
export function sweepIntervalOf(timeoutMs: number): number {
  return Math.min(60_000, Math.max(250, timeoutMs / 4));
}

/**
 * Follows who is active from the proxy's session and connection events, computed from the events
 * themselves (never from what was published). Emits an update when a user became active or
 * stopped being active on a proxy, when sessions timed out, when a listener reports
 * `udp.listening` (so a restarted listener says where things stand) and every `republishMs`.
 * Other events are ignored. The timers stop when the events complete.
 */
export function trackActiveUsers(
  options: TrackActiveUsersOptions,
): OperatorFunction<RelayEvent, ActiveUsersUpdate> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const { timeoutMs, republishMs } = options;

  const step = (state: Tracking, input: Input): Tracking => {
    const now = scheduler.now();
    if (input.type === 'sweep') {
      const { sessions, expired } = expireIdleSessions(state.sessions, now, timeoutMs);
      if (expired.length === 0) return { ...state, update: undefined };
      return changed(state, sessions, expired);
    }
    if (input.type === 'event' && isProxySessionEvent(input.event)) {
      const { sessions, membershipChanged } = applySessionActivity(
        state.sessions,
        { ...input.event.data, kind: input.event.kind },
        now,
      );
      return membershipChanged
        ? changed(state, sessions, [])
        : { ...state, sessions, update: undefined };
    }
    const republish =
      input.type === 'republish' ||
      (input.type === 'event' && input.event.kind === 'udp.listening');
    if (!republish) return { ...state, update: undefined };
    const { active } = state;
    return { ...state, update: { active, previous: active, expired: [], republish: true } };
  };

  return (events) =>
    merge(
      events.pipe(
        map((event): Input => ({ type: 'event', event })),
        endWith(END),
      ),
      interval(sweepIntervalOf(timeoutMs), scheduler).pipe(map(() => SWEEP)),
      republishMs > 0 ? interval(republishMs, scheduler).pipe(map(() => REPUBLISH)) : EMPTY,
    ).pipe(
      takeWhile((input) => input !== END),
      scan(step, INITIAL),
      map((state) => state.update),
      filter((update): update is ActiveUsersUpdate => update !== undefined),
    );
}

function changed(
  state: Tracking,
  sessions: ActiveSessions,
  expired: readonly ExpiredUser[],
): Tracking {
  const active = activeUsersOf(sessions);
  return {
    sessions,
    active,
    update: { active, previous: state.active, expired, republish: false },
  };
}
