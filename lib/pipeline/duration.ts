const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

/**
 * Reads a duration written by a person: a number of milliseconds, `500ms`, `10s`, `5m`, `2h`,
 * `30 seconds` or Butler's `every 30 seconds`. Returns undefined when it is none of these.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const found = /^\s*(?:every\s+)?(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(value);
  if (!found) return undefined;
  const unit = (found[2] ?? 'ms').toLowerCase();
  const factor = UNIT_MS[unit];
  return factor === undefined ? undefined : Number(found[1]) * factor;
}
