import { readFileSync } from 'node:fs';
import { createEvent, type RelayEvent } from '../../lib/events.js';
import { parseProxySessionDatagram } from '../../lib/qlik/parse-proxy-session-datagram.js';
import { PROXY_COMMANDS } from '../../lib/qlik/proxy-session-commands.js';
import type { ProxySessionKind } from '../../lib/qlik/proxy-session-events.js';

/**
 * The example datagrams of the proxy appenders (spec/fixtures/datagrams/proxy-sessions.txt), in
 * order: jdoe starts a session on qs-node1 and opens an app, asmith starts one on QS-NODE2 and
 * closes a connection, jdoe's session stops.
 */
export function readProxyDatagrams(): string[] {
  const file = new URL('../fixtures/datagrams/proxy-sessions.txt', import.meta.url);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

export interface ProxyDatagramFields {
  readonly kind: ProxySessionKind;
  readonly hostName: string;
  readonly userDirectory: string;
  readonly userId: string;
  readonly origin?: string;
  readonly context?: string;
  readonly logMessage?: string;
}

/** A log line each appender filter lets through, as the proxy writes it. */
const TYPICAL_MESSAGE: Readonly<Record<ProxySessionKind, (user: string) => string>> = {
  'session.start': (user) => `Start session for user '${user}'`,
  'session.stop': (user) => `Stop session for user '${user}'`,
  'connection.open': () =>
    'Engine connection Opened for session 3f2e1d0c-9b8a-4776-8655-443322110099',
  'connection.close': () =>
    'Engine connection Closed for session 3f2e1d0c-9b8a-4776-8655-443322110099',
};

/** The datagram text the proxy's log appender would send for these fields (`;` unescaped). */
export function proxyDatagram(fields: ProxyDatagramFields): string {
  const { tag, command } = PROXY_COMMANDS[fields.kind];
  const user = `${fields.userDirectory}\\${fields.userId}`;
  return [
    tag,
    fields.hostName,
    command,
    fields.userDirectory,
    fields.userId,
    fields.origin ?? 'AppAccess',
    fields.context ??
      (fields.kind.startsWith('session') ? '/hub' : '/app/7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d'),
    fields.logMessage ?? TYPICAL_MESSAGE[fields.kind](user),
  ].join(';');
}

/** Where the specs' proxy datagrams come from. */
export const PROXY_SENDER = { address: '10.0.0.21', port: 50321, family: 'IPv4' } as const;

/** The event the parser makes of a proxy datagram; throws on one it refuses. */
export function parsedSessionEvent(datagram: string): RelayEvent {
  const result = parseProxySessionDatagram(Buffer.from(datagram), PROXY_SENDER, 'sessions', 0);
  if ('problem' in result) throw new Error(result.problem.detail);
  return result.event;
}

/** The event of `kind` for `DIRECTORY\user` on a proxy, as the session listener parses it. */
export function sessionEvent(kind: ProxySessionKind, user: string, hostName: string): RelayEvent {
  const [userDirectory = '', userId = ''] = user.split('\\');
  return parsedSessionEvent(proxyDatagram({ kind, hostName, userDirectory, userId }));
}

/** The session listener's start, as its source reports it. */
export const sessionsListening = createEvent('udp.listening', 'udp:sessions', {
  address: '127.0.0.1',
  port: 9997,
  listener: 'sessions',
});
