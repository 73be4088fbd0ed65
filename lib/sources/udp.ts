import type { RemoteInfo, SocketType } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DgramAsPromised, type SocketAsPromised } from 'dgram-as-promised';
import { Observable } from 'rxjs';
import { createEvent, type RelayEvent } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import type { DatagramEvent } from '../qlik/log-appender-events.js';
import { watchKernelDrops } from './kernel-drop-watch.js';

/** 4 MiB: enough to absorb bursts of 100k datagrams/s without kernel drops. */
export const DEFAULT_RECV_BUFFER_SIZE = 4 * 1024 * 1024;

export interface UdpSourceOptions {
  /** Listener name, e.g. `tasks`; events carry `source: 'udp:<name>'`. */
  readonly name: string;
  /** Bind address; `::` or an IPv6 literal binds an IPv6 socket (dual-stack for `::`). */
  readonly host: string;
  /** 0 picks a free port; the `udp.listening` event tells which. */
  readonly port: number;
  /** Kernel receive buffer in bytes; defaults to 4 MiB, 0 keeps the system default. */
  readonly recvBufferSize?: number;
  /** How often to read the kernel's count of datagrams it dropped; default 5 s. */
  readonly kernelDropPollMs?: number;
}

export interface UdpSourceDeps {
  readonly log: Logger;
  /** For the receive buffer gauge and the datagrams the kernel drops (`kernel-buffer`). */
  readonly metrics: RelayMetrics;
}

export interface UdpListeningData {
  readonly address: string;
  readonly port: number;
  readonly listener: string;
}

export interface UdpErrorData {
  readonly message: string;
  readonly listener: string;
}

/** The socket is bound and receiving (Butler publishes `start` on its status topic here). */
export type UdpListeningEvent = RelayEvent<'udp.listening', UdpListeningData>;
/** The socket reported an error but stays open (Butler publishes `error` here). */
export type UdpErrorEvent = RelayEvent<'udp.error', UdpErrorData>;
export type UdpSourceEvent = DatagramEvent | UdpListeningEvent | UdpErrorEvent;

/** Binding failed: port in use, address not local, bad port. */
export class UdpBindError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    super(`cannot listen for UDP on ${endpoint(host, port)}: ${messageOf(cause)}`, { cause });
    this.name = 'UdpBindError';
  }
}

export function isDatagramEvent(event: RelayEvent): event is DatagramEvent {
  return event.kind === 'udp.datagram';
}

/**
 * Receives datagrams on `host:port`. Cold: every subscription binds its own socket and closes it
 * on unsubscribe. A failed bind, or the socket closing by itself, errors the stream; other socket
 * errors become `udp.error` events and the socket keeps receiving.
 */
export function udpSource(
  options: UdpSourceOptions,
  deps: UdpSourceDeps,
): Observable<UdpSourceEvent> {
  const source = `udp:${options.name}`;
  const listener = options.name;
  const log = deps.log.child({ component: source });

  return new Observable<UdpSourceEvent>((subscriber) => {
    const family = socketTypeFor(options.host);
    const socket = DgramAsPromised.createSocket({ type: family, reuseAddr: false });
    let closing = false;
    let where = endpoint(options.host, options.port);
    let stopWatchingDrops: () => void = () => undefined;

    // Straight from the socket's event: awaiting recv() in a loop would lose datagrams that
    // arrive between two calls.
    const onMessage = (bytes: Buffer, remote: RemoteInfo) => {
      const sender = { address: remote.address, port: remote.port, family: remote.family };
      subscriber.next(createEvent('udp.datagram', source, { bytes, sender, listener }));
    };
    const onError = (err: Error) => {
      log.error({ event: 'udp.error', err }, `UDP socket error on ${where}`);
      subscriber.next(createEvent('udp.error', source, { message: err.message, listener }));
    };
    const onClose = () => {
      if (!closing) subscriber.error(new Error(`UDP socket on ${where} closed unexpectedly`));
    };
    socket.socket.on('message', onMessage);

    socket.bind(options.port, options.host).then(
      (bound) => {
        if (closing) return;
        where = endpoint(bound.address, bound.port);
        socket.socket.on('error', onError);
        socket.socket.on('close', onClose);
        const recvBufferSize = applyRecvBufferSize(socket, log, options.recvBufferSize);
        deps.metrics.udpReceiveBuffer.set({ listener }, recvBufferSize);
        stopWatchingDrops = watchKernelDrops({
          component: source,
          family,
          address: bound.address,
          port: bound.port,
          recvBufferSize,
          intervalMs: options.kernelDropPollMs,
          log,
          metrics: deps.metrics,
        });
        log.info(
          { event: 'udp.listening', address: bound.address, port: bound.port, recvBufferSize },
          `listening for UDP on ${where}`,
        );
        const data = { address: bound.address, port: bound.port, listener };
        subscriber.next(createEvent('udp.listening', source, data));
      },
      (err: unknown) => {
        if (closing) return;
        closing = true;
        closeQuietly(socket);
        subscriber.error(new UdpBindError(options.host, options.port, err));
      },
    );

    return () => {
      if (closing) return;
      closing = true;
      socket.socket.off('message', onMessage);
      socket.socket.off('error', onError);
      stopWatchingDrops(); // before closing: the counter goes with the socket
      deps.metrics.udpReceiveBuffer.remove({ listener });
      closeQuietly(socket);
      log.info({ event: 'udp.closed' }, `stopped listening for UDP on ${where}`);
    };
  });
}

/** IPv6 socket for an IPv6 literal (including `::`), IPv4 for anything else. */
export function socketTypeFor(host: string): SocketType {
  return isIPv6(host) ? 'udp6' : 'udp4';
}

/** Sets the receive buffer and returns what the kernel granted (Linux reports double). */
function applyRecvBufferSize(
  socket: SocketAsPromised,
  log: Logger,
  requested: number = DEFAULT_RECV_BUFFER_SIZE,
): number {
  if (requested > 0) {
    try {
      socket.setRecvBufferSize(requested);
    } catch (err) {
      log.warn({ event: 'udp.recv-buffer', err, requested }, 'could not set the receive buffer');
    }
  }
  const effective = socket.getRecvBufferSize();
  if (effective < requested) {
    log.warn(
      { event: 'udp.recv-buffer', requested, effective },
      `the system granted a receive buffer of ${effective} bytes, not ${requested}; bursts may ` +
        'be dropped by the kernel (on Linux raise net.core.rmem_max)',
    );
  }
  return effective;
}

function closeQuietly(socket: SocketAsPromised): void {
  // Rejects only when the socket is already closed, which is the goal anyway.
  socket.close().catch(() => undefined);
}

function endpoint(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function messageOf(err: unknown): string {
  // Duck-typed: errors from Node's internals may come from another realm (vm, test runners).
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}
