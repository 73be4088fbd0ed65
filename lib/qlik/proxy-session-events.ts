import type { RelayEvent } from '../events.js';
import type { DatagramSender } from './log-appender-events.js';

/**
 * The fields of a proxy session or connection datagram (`/proxy-session/`, `/proxy-connection/`),
 * cleaned as task datagrams are. Field order on the wire: tag;hostName;command;userDirectory;
 * userId;origin;context;logMessage.
 */
export interface ProxySessionData {
  /** The tag as received (lower-cased), e.g. `/proxy-session/`. */
  readonly tag: string;
  /** The proxy node (Qlik's `%hostname`). */
  readonly hostName: string;
  /** As received, e.g. `Start session`; matched without regard to case. */
  readonly command: string;
  readonly userDirectory: string;
  readonly userId: string;
  /** The proxy's `Origin` property, e.g. `AppAccess`. */
  readonly origin: string;
  /** The proxy's `Context` property, e.g. `/hub` or `/app/<id>`. */
  readonly context: string;
  readonly logMessage: string;
  /** True when cleaning removed control characters or cut a field to 500 characters. */
  readonly cleaned: boolean;
  /** True when extra `;` in the last field were kept as part of the log message. */
  readonly recovered: boolean;
  readonly sender: DatagramSender;
}

export type SessionStartEvent = RelayEvent<'session.start', ProxySessionData>;
export type SessionStopEvent = RelayEvent<'session.stop', ProxySessionData>;
export type ConnectionOpenEvent = RelayEvent<'connection.open', ProxySessionData>;
export type ConnectionCloseEvent = RelayEvent<'connection.close', ProxySessionData>;

/** Every event parsed from the proxy's log-appender port. */
export type ProxySessionEvent =
  SessionStartEvent | SessionStopEvent | ConnectionOpenEvent | ConnectionCloseEvent;

export type ProxySessionKind = ProxySessionEvent['kind'];

const KINDS: ReadonlySet<string> = new Set<ProxySessionKind>([
  'session.start',
  'session.stop',
  'connection.open',
  'connection.close',
]);

export function isProxySessionEvent(event: RelayEvent): event is ProxySessionEvent {
  return KINDS.has(event.kind);
}
