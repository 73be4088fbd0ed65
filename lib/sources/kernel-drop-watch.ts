import { readFileSync } from 'node:fs';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import { procNetUdpPath, readUdpSocketDrops } from './proc-net-udp.js';

/** How often the kernel's drop counter is read while a listener is bound. */
export const KERNEL_DROP_POLL_MS = 5_000;

export interface KernelDropWatchOptions {
  /** Metric label of the listener, e.g. `udp:tasks`. */
  readonly component: string;
  readonly family: 'udp4' | 'udp6';
  /** The bound address and port, as the socket reports them. */
  readonly address: string;
  readonly port: number;
  /** Effective receive buffer in bytes, named in the warning. */
  readonly recvBufferSize: number;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Default {@link KERNEL_DROP_POLL_MS}. */
  readonly intervalMs?: number;
  /** Reads the socket table at a path; defaults to reading the file. */
  readonly readTable?: (path: string) => string;
}

/**
 * Counts the datagrams the kernel discarded for a bound socket because its receive buffer was
 * full: those never reach the relay, so only the kernel's per-socket counter tells. Polls that
 * counter and reports its growth as `kernel-buffer` drops. Linux only; elsewhere it does nothing.
 * Returns a stop function, which takes a last reading: call it before the socket closes.
 */
export function watchKernelDrops(options: KernelDropWatchOptions): () => void {
  const { component, family, address, port, recvBufferSize, log } = options;
  const path = procNetUdpPath(family);
  const readTable = options.readTable ?? ((file: string) => readFileSync(file, 'utf8'));
  const drops = new ThrottledDropReporter({ log, metrics: options.metrics });
  // A new socket's counter starts at 0, so drops before the first reading count too.
  let counted = 0;

  /** False when the table cannot be read: not Linux, or /proc not mounted. */
  const poll = (): boolean => {
    let table: string;
    try {
      // Synchronous so that the last reading happens before the socket closes; the table is
      // small and read once every few seconds.
      table = readTable(path);
    } catch (err) {
      log.debug(
        { event: 'udp.kernel-drops-unavailable', err, path },
        `cannot read ${path}; datagrams the kernel drops on this listener are not counted`,
      );
      return false;
    }
    const total = readUdpSocketDrops(table, port, address);
    if (total === undefined || total <= counted) return true;
    const growth = total - counted;
    counted = total;
    const detail =
      `the kernel dropped ${growth} datagram(s): the receive buffer (${recvBufferSize} bytes) overflowed; ` +
      'raise the recvBufferSize of the listener (Relay.udp.recvBufferSize) and ' +
      'net.core.rmem_max, or reduce the load';
    drops.report({ component, reason: 'kernel-buffer', detail, count: growth });
    return true;
  };

  if (!poll()) return () => undefined;
  const timer = setInterval(() => {
    if (!poll()) clearInterval(timer); // said once at debug; never again
  }, options.intervalMs ?? KERNEL_DROP_POLL_MS);
  timer.unref(); // watching never keeps the process alive
  return () => {
    clearInterval(timer);
    poll();
    drops.flush();
  };
}
