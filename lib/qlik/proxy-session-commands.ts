import type { ProxySessionKind } from './proxy-session-events.js';

export const PROXY_SESSION_TAG = '/proxy-session/';
export const PROXY_CONNECTION_TAG = '/proxy-connection/';

/** Field count of a proxy datagram: tag plus seven log4net properties and the message. */
export const PROXY_FIELD_COUNT = 8;

/** The tag and the proxy's `Command` property of each event kind. */
export const PROXY_COMMANDS: Readonly<
  Record<ProxySessionKind, { readonly tag: string; readonly command: string }>
> = {
  'session.start': { tag: PROXY_SESSION_TAG, command: 'Start session' },
  'session.stop': { tag: PROXY_SESSION_TAG, command: 'Stop session' },
  'connection.open': { tag: PROXY_CONNECTION_TAG, command: 'Open connection' },
  'connection.close': { tag: PROXY_CONNECTION_TAG, command: 'Close connection' },
};

const KIND_BY_COMMAND: ReadonlyMap<string, ProxySessionKind> = new Map(
  Object.entries(PROXY_COMMANDS).map(([kind, { command }]) => [
    command.toLowerCase(),
    kind as ProxySessionKind,
  ]),
);

/** True for a cleaned, lower-cased tag of the proxy appenders. */
export function isProxyTag(tag: string): boolean {
  return tag === PROXY_SESSION_TAG || tag === PROXY_CONNECTION_TAG;
}

/** The event kind of a `Command` property, in any case; undefined for other commands. */
export function kindOfCommand(command: string): ProxySessionKind | undefined {
  return KIND_BY_COMMAND.get(command.toLowerCase());
}
