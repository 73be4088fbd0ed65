/** The median of the defined values, or undefined when there are none. */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const sorted = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  sorted.sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

/** The nearest-rank `p`-th percentile (0–100) of `sorted`, which must be sorted ascending. */
export function percentile(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/** Key-wise medians of records whose fields are all numbers (or undefined). */
export function medianFigures<T extends Record<keyof T, number | undefined>>(
  runs: readonly T[],
): { [K in keyof T]: number | undefined } {
  const result = {} as { [K in keyof T]: number | undefined };
  const keys = new Set(runs.flatMap((run) => Object.keys(run) as (keyof T)[]));
  for (const key of keys) result[key] = median(runs.map((run) => run[key]));
  return result;
}
