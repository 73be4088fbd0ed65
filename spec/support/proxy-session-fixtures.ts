import { readFileSync } from 'node:fs';
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
