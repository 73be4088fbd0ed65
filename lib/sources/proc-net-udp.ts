import { endianness } from 'node:os';

/**
 * Linux's table of UDP sockets: `/proc/net/udp` for IPv4 sockets, `/proc/net/udp6` for IPv6 ones
 * (a dual-stack `::` socket is listed only there).
 */
export function procNetUdpPath(family: 'udp4' | 'udp6'): string {
  return family === 'udp6' ? '/proc/net/udp6' : '/proc/net/udp';
}

/**
 * The kernel's drop counter (the last column, `drops`) of the unconnected socket bound to `port`
 * and, when given, to `address`, in the text of `/proc/net/udp` or `/proc/net/udp6`; `undefined`
 * when no row matches.
 *
 * The table names sockets by inode, which Node does not expose, so a socket is found by its local
 * address and port. Rows with a remote address are connected sockets, never a listener, and are
 * skipped. Should several rows still match (only possible when another process shares the port
 * with SO_REUSEPORT), their counters are summed: drops are over-reported rather than hidden.
 *
 * Addresses are written as 32-bit words in the kernel's byte order, so `byteOrder` must be the
 * one of the machine that wrote the text.
 */
export function readUdpSocketDrops(
  procText: string,
  port: number,
  address?: string,
  byteOrder: 'BE' | 'LE' = endianness(),
): number | undefined {
  const wanted = address === undefined ? undefined : canonicalAddress(address);
  let drops: number | undefined;
  for (const line of procText.split('\n')) {
    const row = parseRow(line);
    if (row === undefined || row.port !== port || !row.unconnected) continue;
    if (wanted !== undefined && decodeAddress(row.addressHex, byteOrder) !== wanted) continue;
    drops = (drops ?? 0) + row.drops;
  }
  return drops;
}

interface Row {
  readonly addressHex: string;
  readonly port: number;
  readonly unconnected: boolean;
  readonly drops: number;
}

// `  sl  local_address rem_address   st ... drops`: the header and blank lines do not match.
const ROW = /^\s*\d+:\s+([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})\s+([0-9A-F]+):([0-9A-F]{4})\s/i;

function parseRow(line: string): Row | undefined {
  const match = ROW.exec(line);
  if (match === null) return undefined;
  const [, addressHex = '', portHex = '', remoteHex = '', remotePortHex = ''] = match;
  const drops = Number(line.trim().split(/\s+/).at(-1));
  if (!Number.isSafeInteger(drops)) return undefined;
  const unconnected = /^0+$/.test(remoteHex) && /^0+$/.test(remotePortHex);
  return { addressHex, port: parseInt(portHex, 16), unconnected, drops };
}

/** `0100007F` (little-endian) → `127.0.0.1`; 32 hex digits → a compressed IPv6 address. */
function decodeAddress(hex: string, byteOrder: 'BE' | 'LE'): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((at) => parseInt(hex.slice(word + at, word + at + 2), 16));
    bytes.push(...(byteOrder === 'LE' ? wordBytes.reverse() : wordBytes));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let at = 0; at < bytes.length; at += 2) {
    groups.push((((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0)).toString(16));
  }
  return canonicalAddress(groups.join(':'));
}

/** One spelling per address (`0:0::1` and `::1` alike), without an IPv6 zone (`%eth0`). */
function canonicalAddress(address: string): string {
  const bare = address.replace(/%.*$/, '');
  return bare.includes(':') ? new URL(`http://[${bare}]/`).hostname : bare;
}
