import { performance } from 'node:perf_hooks';

/** One GET /healthz: its HTTP status (0 when it failed) and how long the answer took. */
export interface HealthProbe {
  readonly status: number;
  readonly ms: number;
  readonly error?: string;
}

/** How long one probe may take at most before it counts as failed (a hang, not slowness). */
const PROBE_ABORT_MS = 10_000;

/**
 * Asks the relay's /healthz again and again, one request at a time with `intervalMs` between
 * them, as a load balancer or orchestrator would, and records each answer's time.
 */
export class HealthProbes {
  readonly probes: HealthProbe[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  private constructor(httpPort: number, intervalMs: number) {
    this.done = this.run(httpPort, intervalMs);
  }

  static start(httpPort: number, intervalMs = 100): HealthProbes {
    return new HealthProbes(httpPort, intervalMs);
  }

  async stop(): Promise<HealthProbe[]> {
    this.stopped = true;
    await this.done;
    return this.probes;
  }

  private async run(httpPort: number, intervalMs: number): Promise<void> {
    while (!this.stopped) {
      this.probes.push(await probeHealth(httpPort));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

export async function probeHealth(httpPort: number): Promise<HealthProbe> {
  const started = performance.now();
  try {
    const response = await fetch(`http://127.0.0.1:${httpPort}/healthz`, {
      signal: AbortSignal.timeout(PROBE_ABORT_MS),
    });
    await response.text();
    return { status: response.status, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, ms: performance.now() - started, error: String(error) };
  }
}
