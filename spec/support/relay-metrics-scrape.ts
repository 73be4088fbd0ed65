/** The relay's `/metrics` text (Prometheus format) from its operations endpoint. */
export async function scrapeMetrics(httpPort: number, host = '127.0.0.1'): Promise<string> {
  const response = await fetch(`http://${host}:${httpPort}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/**
 * The sum of every sample of `name` whose labels include all of `labels` (0 when there is none),
 * e.g. `metricValue(text, 'relay_dropped_total', { reason: 'duplicate' })`.
 */
export function metricValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      sum += Number(match[3]);
    }
  }
  return sum;
}

/** Polls `/metrics` until the value of `name` with `labels` passes `test`; resolves with the text. */
export async function waitForMetric(
  httpPort: number,
  name: string,
  labels: Readonly<Record<string, string>>,
  test: (value: number) => boolean,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await scrapeMetrics(httpPort);
    const value = metricValue(text, name, labels);
    if (test(value)) return text;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting on ${name}${JSON.stringify(labels)}, which is ${value}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One sample of a metric: its labels and value. */
export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Every sample of `name` in the text, with its labels. */
export function metricSamples(text: string, name: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [key, value]),
    ) as Record<string, string>;
    samples.push({ labels, value: Number(match[3]) });
  }
  return samples;
}

/** True when the relay exports `name` at all (prom-client writes its TYPE line even with no sample). */
export function hasMetric(text: string, name: string): boolean {
  return text.split('\n').some((line) => line.startsWith(`# TYPE ${name} `));
}
