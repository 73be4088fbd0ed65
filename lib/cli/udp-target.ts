import { isIPv6 } from 'node:net';

/** Where a datagram goes: a host name or IP literal and a UDP port. */
export interface UdpTarget {
  readonly host: string;
  readonly port: number;
}

const BRACKETED = /^\[([^\]]+)\]:(\d{1,5})$/;
const PLAIN = /^([^:\s[\]]+):(\d{1,5})$/;

/**
 * Reads `host:port`, or `[v6-address]:port`; undefined when it is neither or the port is not
 * 1–65535.
 */
export function parseUdpTarget(text: string): UdpTarget | undefined {
  const bracketed = BRACKETED.exec(text);
  const match = bracketed ?? PLAIN.exec(text);
  if (!match) return undefined;
  const [, host = '', portText = ''] = match;
  const port = Number(portText);
  if (port < 1 || port > 65535 || (bracketed && !isIPv6(host))) return undefined;
  return { host, port };
}

/**
 * The address to send to for a listener bound to `serverHost:port`: a wildcard bind address
 * (`0.0.0.0`, `::`) is reached on the loopback address of its family.
 */
export function targetForListener(serverHost: string, port: number): UdpTarget {
  if (serverHost === '0.0.0.0') return { host: '127.0.0.1', port };
  if (serverHost === '::') return { host: '::1', port };
  return { host: serverHost, port };
}

export function formatUdpTarget({ host, port }: UdpTarget): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
