import { describe, expect, it } from '@jest/globals';
import { procNetUdpPath, readUdpSocketDrops } from '../../lib/sources/proc-net-udp.js';

// Tables as a little-endian Linux host writes them, trailing blanks included. The 2991 and 491
// drops come from flooded listeners; the 17 drops and the last IPv4 row (a connected socket on a
// listener's port) were added for the cases below.

/** Listeners on 127.0.0.1:40645 and 0.0.0.0:44428; connected sockets on ports 33620 and 40645. */
const UDP4 = [
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            ',
  ' 3310: 0100007F:9EC5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 150171 2 00000000ec2ed0e9 2991     ',
  ' 7093: 00000000:AD8C 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 150287 2 0000000017b9f312 0        ',
  '12669: 0100007F:8354 0100007F:AD8C 01 00000000:00000000 00:00000000 00000000     0        0 150288 2 00000000c0010120 0        ',
  '12670: 0200007F:9EC5 0100007F:AD8C 01 00000000:00000000 00:00000000 00000000     0        0 150289 2 00000000c0010520 5        ',
  '',
].join('\n');

/** Listeners on [::1]:58185, [::ffff:127.0.0.1]:59282 and [::]:44132. */
const UDP6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  ' 4466: 00000000000000000000000001000000:E349 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 149461 2 000000003f1fc2dc 491',
  ' 5563: 0000000000000000FFFF00000100007F:E792 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 149481 2 0000000031bb9b81 0',
  ' 6797: 00000000000000000000000000000000:AC64 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 149482 2 0000000042d9cb2e 17',
  '',
].join('\n');

describe('readUdpSocketDrops', () => {
  it('reads the drops of the IPv4 listener on a port', () => {
    expect(readUdpSocketDrops(UDP4, 40645)).toBe(2991);
    expect(readUdpSocketDrops(UDP4, 40645, '127.0.0.1')).toBe(2991);
    expect(readUdpSocketDrops(UDP4, 44428, '0.0.0.0')).toBe(0);
  });

  it('reads the drops of the IPv6 listener on a port, however its address is spelled', () => {
    expect(readUdpSocketDrops(UDP6, 58185, '::1')).toBe(491);
    expect(readUdpSocketDrops(UDP6, 58185, '0:0:0:0:0:0:0:1')).toBe(491);
    expect(readUdpSocketDrops(UDP6, 59282, '::ffff:127.0.0.1')).toBe(0);
    expect(readUdpSocketDrops(UDP6, 44132, '::')).toBe(17);
  });

  it('ignores the zone of a link-local address, which the table does not show', () => {
    const linkLocal = UDP6.replace(
      '00000000000000000000000001000000',
      '000080FE000000000000000001000000',
    );
    expect(readUdpSocketDrops(linkLocal, 58185, 'fe80::1%eth0')).toBe(491);
  });

  it('finds nothing on another port, another address or only a connected socket', () => {
    expect(readUdpSocketDrops(UDP4, 9998)).toBeUndefined();
    expect(readUdpSocketDrops(UDP4, 40645, '10.0.0.1')).toBeUndefined();
    expect(readUdpSocketDrops(UDP4, 33620)).toBeUndefined();
    expect(readUdpSocketDrops(UDP6, 58185, '::2')).toBeUndefined();
    expect(readUdpSocketDrops('', 40645)).toBeUndefined();
  });

  it('sums the listeners that share a port when no address tells them apart', () => {
    const shared = `${UDP6} 6798: 00000000000000000000000001000000:AC64 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 149483 2 0000000042d9cb2f 3\n`;
    expect(readUdpSocketDrops(shared, 44132)).toBe(20);
    expect(readUdpSocketDrops(shared, 44132, '::')).toBe(17);
  });

  it('decodes addresses in the byte order of the host that wrote the table', () => {
    const bigEndian = UDP4.replace(' 0100007F:9EC5', ' 7F000001:9EC5');
    expect(readUdpSocketDrops(bigEndian, 40645, '127.0.0.1', 'BE')).toBe(2991);
    expect(readUdpSocketDrops(UDP4, 40645, '127.0.0.1', 'BE')).toBeUndefined();
  });
});

describe('procNetUdpPath', () => {
  it('lists IPv4 sockets in /proc/net/udp and IPv6 ones, dual-stack included, in udp6', () => {
    expect(procNetUdpPath('udp4')).toBe('/proc/net/udp');
    expect(procNetUdpPath('udp6')).toBe('/proc/net/udp6');
  });
});
