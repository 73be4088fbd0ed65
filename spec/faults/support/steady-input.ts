import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';

/**
 * Sends datagrams to a UDP port at a fixed rate, as a scheduler reporting failures does, until
 * stopped. `next(n)` makes datagram n; a slow send delays the next ones, never skips them.
 */
export class SteadyInput {
  private count = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  private constructor(port: number, perSecond: number, next: (n: number) => string) {
    this.done = this.run(port, 1000 / perSecond, next);
    this.done.catch(() => undefined); // reported by `stop`
  }

  static start(port: number, perSecond: number, next: (n: number) => string): SteadyInput {
    return new SteadyInput(port, perSecond, next);
  }

  /** Datagrams sent so far. */
  get sent(): number {
    return this.count;
  }

  /** Stops after the datagram being sent; resolves with the number sent. */
  async stop(): Promise<number> {
    this.stopped = true;
    await this.done;
    return this.count;
  }

  private async run(port: number, intervalMs: number, next: (n: number) => string) {
    const socket = createSocket('udp4');
    const started = performance.now();
    try {
      while (!this.stopped) {
        const wait = started + this.count * intervalMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.stopped) break;
        const datagram = next(this.count);
        await new Promise<void>((resolve, reject) =>
          socket.send(datagram, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
        );
        this.count += 1;
      }
    } finally {
      socket.close();
    }
  }
}
