import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';

interface Fault {
  readonly status: number;
  /** Requests left to fail; Infinity until `restore`. */
  remaining: number;
}

/**
 * What the fake services of the specs share: a server on 127.0.0.1 whose port survives refusing
 * and restoring connections, every request recorded, the most answered at once, and the faults a
 * test switches on while it runs: error statuses per endpoint, slowness, refused connections.
 * A fake says how to record a request and how to answer it.
 */
export abstract class FakeHttpService<
  Endpoint extends string,
  Recorded extends { readonly endpoint: Endpoint | undefined },
> {
  readonly requests: Recorded[] = [];
  /** Most requests it was answering at the same time. */
  maxConcurrentSeen = 0;

  protected abstract readonly server: http.Server | https.Server;
  private readonly faults = new Map<Endpoint | '*', Fault>();
  private delayMs = 0;
  private inFlight = 0;
  private listening = false;
  private assignedPort = 0;
  private readonly pendingDelays = new Set<NodeJS.Timeout>();

  get port(): number {
    return this.assignedPort;
  }

  /** Answers `status` on `endpoint` (or every endpoint) for the next `times` requests, or until `restore`. */
  fail(endpoint: Endpoint | '*', status: number, times = Infinity): this {
    this.faults.set(endpoint, { status, remaining: times });
    return this;
  }

  /** Holds every answer back by `ms`. */
  delay(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  /** Stops listening (connections are refused) and drops open connections; the port is kept for `restore`. */
  async refuseConnections(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Listens again on the same port and clears every fault and delay. */
  async restore(): Promise<void> {
    this.faults.clear();
    this.delayMs = 0;
    if (!this.listening) await this.listen();
  }

  /** Requests routed to `endpoint`. */
  requestsTo(endpoint: Endpoint): Recorded[] {
    return this.requests.filter((r) => r.endpoint === endpoint);
  }

  clearRecords(): void {
    this.requests.length = 0;
    this.maxConcurrentSeen = 0;
  }

  async close(): Promise<void> {
    for (const timer of this.pendingDelays) clearTimeout(timer);
    this.pendingDelays.clear();
    await this.refuseConnections();
  }

  protected listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.assignedPort, '127.0.0.1', () => {
        this.server.off('error', onError);
        this.assignedPort = (this.server.address() as AddressInfo).port;
        this.listening = true;
        resolve();
      });
    });
  }

  /** The server's request handler: reads the body, records, waits out the delay, answers. */
  protected readonly handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.inFlight += 1;
    this.maxConcurrentSeen = Math.max(this.maxConcurrentSeen, this.inFlight);
    res.on('close', () => {
      this.inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = this.record(req, Buffer.concat(chunks));
      this.requests.push(request);
      const answer = (): void => {
        if (!res.destroyed) this.answer(request, res);
      };
      if (this.delayMs <= 0) return answer();
      const timer = setTimeout(() => {
        this.pendingDelays.delete(timer);
        answer();
      }, this.delayMs);
      this.pendingDelays.add(timer);
    });
  };

  /** The status a test injected for this endpoint, counted off; undefined when none applies. */
  protected injectedStatus(endpoint: Endpoint): number | undefined {
    const fault = this.faults.get(endpoint) ?? this.faults.get('*');
    if (!fault || fault.remaining <= 0) return undefined;
    fault.remaining -= 1;
    return fault.status;
  }

  protected abstract record(req: IncomingMessage, body: Buffer): Recorded;
  protected abstract answer(request: Recorded, res: ServerResponse): void;
}
