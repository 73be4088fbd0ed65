import {
  EMPTY,
  asyncScheduler,
  defer,
  endWith,
  filter,
  interval,
  map,
  merge,
  of,
  takeWhile,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import type { RelayEvent } from '../events.js';
import { isProxySessionEvent } from '../qlik/proxy-session-events.js';
import {
  ActiveUserSessions,
  type ActiveUsers,
  type ExpiredUser,
  type IdleLimits,
} from './active-user-sessions.js';

export interface TrackActiveUsersOptions {
  /** A user with no event on a proxy for this long, and no connection open there, is no longer active there. */
  readonly timeoutMs: number;
  /** The same for a user with a connection open; default `timeoutMs`, never shorter. */
  readonly connectedTimeoutMs?: number;
  /** Emit the whole state again this often, changed or not; 0 = on change only. */
  readonly republishMs: number;
  /** Clock and timers; defaults to the async scheduler (a test passes its own). */
  readonly scheduler?: SchedulerLike;
  /**
   * The state to follow, with its limits. Given, it outlives a subscription: a subscription made
   * after an earlier one goes on from where that one stopped and says everything at once. Left
   * out, every subscription starts from nobody, with no limits.
   */
  readonly sessions?: ActiveUserSessions;
}

/** What changed about the active users, or everything again. */
export interface ActiveUsersUpdate {
  readonly active: ActiveUsers;
  /** What the previous update said (nobody before the first). */
  readonly previous: ActiveUsers;
  /** Users whose session timed out in this step. */
  readonly expired: readonly ExpiredUser[];
  /**
   * Say everything, changed or not: the listener (re)started, it is time to republish, or the
   * tracking resumed after an earlier subscription.
   */
  readonly republish: boolean;
}

type Input =
  | { readonly type: 'event'; readonly event: RelayEvent }
  | { readonly type: 'sweep' | 'republish' | 'end' };

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
  const idle: IdleLimits = { timeoutMs, connectedTimeoutMs: options.connectedTimeoutMs ?? 0 };
  let subscriptions = 0;

  return (events) =>
    defer(() => {
      const resumed = options.sessions !== undefined && subscriptions > 0;
      subscriptions += 1;
      const sessions = options.sessions ?? new ActiveUserSessions();
      // What was last said; computed again only when membership changes.
      let active = sessions.activeUsers();

      const everything = (): ActiveUsersUpdate => ({
        active,
        previous: active,
        expired: [],
        republish: true,
      });
      const changed = (expired: readonly ExpiredUser[]): ActiveUsersUpdate => {
        const previous = active;
        active = sessions.activeUsers();
        return { active, previous, expired, republish: false };
      };
      const step = (input: Input): ActiveUsersUpdate | undefined => {
        const now = scheduler.now();
        if (input.type === 'sweep') {
          const expired = sessions.expireIdle(now, idle);
          return expired.length === 0 ? undefined : changed(expired);
        }
        if (input.type === 'republish') return everything();
        if (input.type !== 'event') return undefined;
        const { event } = input;
        if (isProxySessionEvent(event)) {
          const { membershipChanged } = sessions.apply({ ...event.data, kind: event.kind }, now);
          return membershipChanged ? changed([]) : undefined;
        }
        return event.kind === 'udp.listening' ? everything() : undefined;
      };

      return merge(
        // First: the retained topics may miss what the earlier subscription last said.
        resumed ? of(REPUBLISH) : EMPTY,
        events.pipe(
          map((event): Input => ({ type: 'event', event })),
          endWith(END),
        ),
        interval(sweepIntervalOf(timeoutMs), scheduler).pipe(map(() => SWEEP)),
        republishMs > 0 ? interval(republishMs, scheduler).pipe(map(() => REPUBLISH)) : EMPTY,
      ).pipe(
        takeWhile((input) => input !== END),
        map(step),
        filter((update): update is ActiveUsersUpdate => update !== undefined),
      );
    });
}
