import { filter, merge, share, tap, type Observable, type SchedulerLike } from 'rxjs';
import {
  ActiveUserSessions,
  definePipeline,
  isProxySessionEvent,
  listenerStateMessages,
  toActiveUserMessages,
  toSessionMessages,
  trackActiveUsers,
  withinTrackingLimits,
  type ActiveUsersUpdate,
  type Logger,
  type Pipeline,
  type PipelineContext,
  type ProxyLogAppenderSourceEvent,
  type RelayConfig,
} from '../lib/index.js';

const NAME = 'butler-user-sessions';
/** Expired users named in one log line at most; the count is always complete. */
const EXPIRED_NAMED = 20;

export interface UserSessionsPipelineOptions {
  /** Clock and timers of the session timeout and the republishing; a test passes its own. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Butler 6's user session events, from the proxy's log appender: each session start and stop
 * and connection open and close as `<host>: <directory>/<user>` on its topic, the active users
 * (count, user ids, count per proxy) whenever they change, and the listener's state on
 * `sessionServerStatusTopic`.
 *
 * Better than Butler: the relay counts from the events themselves, not from its own messages
 * echoed by the broker; a user is a directory and a user id, active until the last of their
 * sessions stops or no event came for `sessionTimeoutMinutes` (`maxSessionHours` with a
 * connection open); counts are retained and republished, per-proxy topics are safe topic levels;
 * every event also goes out as JSON; the users and proxies followed are bounded.
 */
export function userSessionsPipeline(
  config: RelayConfig,
  options: UserSessionsPipelineOptions = {},
): Pipeline {
  const mqtt = config.Butler.mqttConfig;
  const sessions = config.Relay.sessionEvents;

  return definePipeline({
    name: NAME,
    source: { type: 'proxy-log-appender' },
    build(events, context) {
      const log = context.log.child({ component: 'user-sessions' });
      // Built once per pipeline, so a re-subscription after a step error keeps who is active.
      const tracked = new ActiveUserSessions({
        maxUsers: sessions.maxTrackedUsers,
        maxProxies: sessions.maxProxies,
      });
      const shared = (events as Observable<ProxyLogAppenderSourceEvent>).pipe(
        withinTrackingLimits(tracked, { log, metrics: context.metrics }),
        share(),
      );
      return merge(
        shared.pipe(listenerStateMessages(mqtt.sessionServerStatusTopic)),
        shared.pipe(
          filter(isProxySessionEvent),
          toSessionMessages({
            topics: {
              'session.start': mqtt.sessionStartTopic,
              'session.stop': mqtt.sessionStopTopic,
              'connection.open': mqtt.connectionOpenTopic,
              'connection.close': mqtt.connectionCloseTopic,
            },
            jsonTopic: sessions.jsonTopic,
          }),
        ),
        shared.pipe(
          trackActiveUsers({
            timeoutMs: sessions.sessionTimeoutMinutes * 60_000,
            connectedTimeoutMs: sessions.maxSessionHours * 3_600_000,
            republishMs: sessions.republishIntervalSeconds * 1000,
            scheduler: options.scheduler,
            sessions: tracked,
          }),
          tap((update) => report(update, context, log)),
          toActiveUserMessages({
            topics: {
              count: mqtt.activeUserCountTopic,
              usernames: mqtt.activeUsersTopic,
              perServerRoot: sessions.perServerTopicRoot,
              full: sessions.activeUsersFullTopic,
            },
          }),
        ),
      );
    },
  });

  function report(update: ActiveUsersUpdate, context: PipelineContext, log: Logger): void {
    context.metrics.activeUsers.set(update.active.users.length);
    const { expired } = update;
    if (expired.length === 0) return;
    context.metrics.sessionsExpired.inc(expired.length);
    const users = expired
      .slice(0, EXPIRED_NAMED)
      .map((user) => `${user.userDirectory}\\${user.userId} on ${user.hostName}`);
    const connected = expired.filter((user) => user.connections > 0).length;
    const why =
      connected === 0
        ? `${sessions.sessionTimeoutMinutes} minutes`
        : `${sessions.sessionTimeoutMinutes} minutes, or ${sessions.maxSessionHours} hours with a connection open (${connected} of them)`;
    log.info(
      {
        event: 'user-sessions.expired',
        count: expired.length,
        users,
        timeoutMinutes: sessions.sessionTimeoutMinutes,
        maxSessionHours: sessions.maxSessionHours,
        withConnectionOpen: connected,
      },
      `${expired.length} user(s) no longer count as active: no session or connection event for ` +
        `${why} (${users.join(', ')}${expired.length > users.length ? ', …' : ''})`,
    );
  }
}
