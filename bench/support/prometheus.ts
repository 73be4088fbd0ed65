/** Counter values by their label set, e.g. `component="udp:tasks",reason="queue-full"`. */
export type CounterValues = ReadonlyMap<string, number>;

/** The samples of counter `name` from a Prometheus text endpoint; undefined when unreachable. */
export async function scrapeCounter(url: string, name: string): Promise<CounterValues | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    return parseCounter(await response.text(), name);
  } catch {
    return undefined;
  }
}

export function parseCounter(text: string, name: string): CounterValues {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^(\w+)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    values.set(match[2] ?? '', Number(match[3]));
  }
  return values;
}

/** What each label set gained from `before` to `after`, leaving out those that did not change. */
export function counterIncrease(before: CounterValues, after: CounterValues): Map<string, number> {
  const increase = new Map<string, number>();
  for (const [labels, value] of after) {
    const gained = value - (before.get(labels) ?? 0);
    if (gained > 0) increase.set(labels, gained);
  }
  return increase;
}
