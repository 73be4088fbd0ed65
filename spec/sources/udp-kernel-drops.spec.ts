import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import {
  watchKernelDrops,
  type KernelDropWatchOptions,
} from '../../lib/sources/kernel-drop-watch.js';
import { udpSource, type UdpListeningEvent } from '../../lib/sources/udp.js';
import { collect } from '../support/collect-events.js';
import { captureLog, DEBUG } from '../support/log-capture.js';
import { droppedByReason, metricValue } from '../support/metrics.js';

const HEADER =
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';

/** A one-row `/proc/net/udp` for a listener on 127.0.0.1:40645 with `drops` drops. */
function table(drops: number): string {
  return `${HEADER} 3310: 0100007F:9EC5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 150171 2 00000000ec2ed0e9 ${drops}\n`;
}

describe('watchKernelDrops', () => {
  const stops: (() => void)[] = [];
  afterEach(() => stops.splice(0).forEach((stop) => stop()));

  function watch(readTable: (path: string) => string) {
    const captured = captureLog();
    const metrics = new RelayMetrics();
    const options: KernelDropWatchOptions = {
      component: 'udp:tasks',
      family: 'udp4',
      address: '127.0.0.1',
      port: 40645,
      recvBufferSize: 8192,
      intervalMs: 3_600_000, // readings here come from starting and stopping only
      log: captured.log,
      metrics,
      readTable,
    };
    const stop = watchKernelDrops(options);
    stops.push(stop);
    return { captured, metrics, stop };
  }

  it('counts the growth of the kernel counter as kernel-buffer drops, with throttled warnings', async () => {
    let drops = 3;
    const { captured, metrics, stop } = watch(() => table(drops));
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({ 'kernel-buffer': 3 });
    // The first reading's growth is written at once, whole; later growth when the interval ends.
    const [warning] = captured.events('udp.dropped');
    expect(warning).toMatchObject({ component: 'udp:tasks', reason: 'kernel-buffer', dropped: 3 });
    expect(warning?.detail).toContain(
      'dropped 3 datagram(s): the receive buffer (8192 bytes) overflowed',
    );

    drops = 10;
    stop(); // a last reading, and the throttled warnings are written
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({ 'kernel-buffer': 10 });
    expect(captured.events('udp.dropped').map((r) => r.dropped)).toEqual([3, 7]);
  });

  it('counts nothing while the counter stands still or the socket is not listed', async () => {
    let text = table(0);
    const { metrics, stop } = watch(() => text);
    text = HEADER;
    stop();
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({});
  });

  it('does nothing where there is no socket table, and says so once at debug', () => {
    let reads = 0;
    const { captured, stop } = watch((path) => {
      reads += 1;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
        code: 'ENOENT',
      });
    });
    stop();
    expect(reads).toBe(1);
    const records = captured.events('udp.kernel-drops-unavailable');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: DEBUG, path: '/proc/net/udp' });
  });
});

// Sends `count` datagrams to 127.0.0.1:`port`; prints how many the kernel accepted.
const FLOOD = `
const [port, count] = process.argv.slice(1).map(Number);
const socket = require('node:dgram').createSocket('udp4');
const payload = Buffer.alloc(100, 'x');
let sent = 0, done = 0;
for (let i = 0; i < count; i++) {
  socket.send(payload, port, '127.0.0.1', (err) => {
    if (!err) sent++;
    if (++done === count) { socket.close(); process.stdout.write(String(sent)); }
  });
}`;

/** Resolves once `condition` holds; rejects after `tries` checks 10 ms apart. */
async function eventually(condition: () => Promise<boolean>, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`condition still false after ${tries} checks`);
}

describe('udpSource under overload', () => {
  // Linux only, like the counting itself: the test machines and CI run Linux.
  it('counts every datagram the kernel drops from a full receive buffer', async () => {
    const captured = captureLog();
    const metrics = new RelayMetrics();
    const events = collect(
      udpSource(
        { name: 'tasks', host: '127.0.0.1', port: 0, recvBufferSize: 4096, kernelDropPollMs: 20 },
        { log: captured.log, metrics },
      ),
    );
    try {
      const listening = (await events.next((e) => e.kind === 'udp.listening')) as UdpListeningEvent;
      expect(await metricValue(metrics, 'relay_udp_receive_buffer_bytes')).toBeGreaterThan(0);

      // spawnSync blocks this event loop for the whole flood, so nothing reads the socket and
      // its tiny buffer overflows.
      const flood = spawnSync(
        process.execPath,
        ['-e', FLOOD, String(listening.data.port), '3000'],
        {
          encoding: 'utf8',
        },
      );
      const sent = Number(flood.stdout);
      expect(sent).toBe(3000);

      const received = () => events.values.filter((e) => e.kind === 'udp.datagram').length;
      const dropped = async () =>
        (await droppedByReason(metrics, 'udp:tasks'))['kernel-buffer'] ?? 0;
      // The counter is polled, so wait for the sum rather than for a fixed time.
      await eventually(async () => received() + (await dropped()) === sent);

      expect(await dropped()).toBeGreaterThan(0);
      expect(captured.events('udp.dropped')[0]).toMatchObject({ reason: 'kernel-buffer' });
    } finally {
      events.subscription.unsubscribe();
    }
    expect(await metricValue(metrics, 'relay_udp_receive_buffer_bytes')).toBe(0);
  });
});
