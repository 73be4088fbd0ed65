import { defer, filter, finalize, type MonoTypeOperatorFunction } from 'rxjs';
import type { RelayEvent } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import { isProxySessionEvent, type ProxySessionEvent } from '../qlik/proxy-session-events.js';
import type { ActiveUserSessions, TrackingRefusal } from './active-user-sessions.js';
import { formatSender } from './format-sender.js';

export interface TrackingLimitDeps {
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Clock for the warning throttle; defaults to `Date.now`. */
  readonly now?: () => number;
}

const SETTING: Readonly<Record<TrackingRefusal, string>> = {
  'user-limit': 'Relay.sessionEvents.maxTrackedUsers',
  'proxy-limit': 'Relay.sessionEvents.maxProxies',
};

/**
 * Drops a session or connection event that would make `sessions` follow more users or proxies
 * than its limits allow, before anything is published for it, so the event messages and the
 * counts agree. Each drop is counted (component: the event's source, reason `user-limit` or
 * `proxy-limit`) and reported in a throttled warning. Other events pass. Place it right before
 * the tracker that applies the events to the same `sessions`.
 */
export function withinTrackingLimits(
  sessions: ActiveUserSessions,
  deps: TrackingLimitDeps,
): MonoTypeOperatorFunction<RelayEvent> {
  return (source) =>
    defer(() => {
      const drops = new ThrottledDropReporter({
        log: deps.log,
        metrics: deps.metrics,
        now: deps.now,
      });
      const admit = (event: RelayEvent): boolean => {
        if (!isProxySessionEvent(event)) return true;
        const refused = sessions.refusalOf({ ...event.data, kind: event.kind });
        if (refused === undefined) return true;
        drops.report({
          component: event.source,
          reason: refused,
          sender: formatSender(event.data.sender),
          detail: detailOf(event, refused, sessions),
        });
        return false;
      };
      return source.pipe(
        filter(admit),
        finalize(() => drops.flush()),
      );
    });
}

function detailOf(
  event: ProxySessionEvent,
  refused: TrackingRefusal,
  sessions: ActiveUserSessions,
): string {
  const { hostName, userDirectory, userId } = event.data;
  const full =
    refused === 'user-limit'
      ? `${sessions.userCount} users are counted already`
      : `${sessions.proxyCount} proxies are counted already`;
  return `${event.kind} of ${userDirectory}\\${userId} on ${hostName} dropped: ${full} (${SETTING[refused]})`;
}
