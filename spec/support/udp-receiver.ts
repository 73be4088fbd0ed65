import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface ReceivedDatagram {
  bytes: Buffer;
  from: RemoteInfo;
}

/** A UDP socket on 127.0.0.1 that keeps what it receives, for checking what a sender sent. */
export class UdpReceiver {
  readonly received: ReceivedDatagram[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (bytes, from) => {
      this.received.push({ bytes, from });
      for (const wake of this.waiters) wake();
    });
  }

  /** Binds to `port` (default: one the system picks). */
  static async bind(port = 0, host = '127.0.0.1'): Promise<UdpReceiver> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
    return new UdpReceiver(socket, socket.address().port);
  }

  /** Resolves with the `count`-th datagram (1-based) once it is there. */
  nth(count: number, timeoutMs = 5_000): Promise<ReceivedDatagram> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.received[count - 1];
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for datagram ${count}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
