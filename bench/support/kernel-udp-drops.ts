import { readFileSync } from 'node:fs';

/**
 * Datagrams the kernel dropped for the IPv4 UDP socket bound to `port` because its receive buffer
 * was full: losses no process can count. The last column of /proc/net/udp; undefined if unbound.
 */
export function kernelUdpDrops(port: number): number | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return undefined;
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of table.split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns[1]?.endsWith(`:${portHex}`)) return Number(columns.at(-1));
  }
  return undefined;
}
