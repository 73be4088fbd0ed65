import { ConfigError } from '../config/config-error.js';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** Completes "expected …" in the config error for a schedule the relay cannot follow. */
export const TEXT_SCHEDULE_EXPECTED =
  'a schedule such as "every 30 seconds", "every 5 minutes", "every hour" or "every 2 days"';

/**
 * The period of a later.js-style interval schedule as Butler's users write it (`every 30 seconds`,
 * `every 1 hour`, `every minute`, `every 5 mins`), in ms; undefined for anything else (clock
 * times, weekdays), which the relay does not follow rather than guess.
 */
export function parseTextSchedule(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const found = /^\s*every\s+(?:(\d+)\s*)?([a-z]+)\s*$/i.exec(text);
  if (!found) return undefined;
  const unit = UNIT_MS[(found[2] ?? '').toLowerCase()];
  const count = found[1] === undefined ? 1 : Number(found[1]);
  if (unit === undefined || !Number.isSafeInteger(count) || count < 1) return undefined;
  return count * unit;
}

/** The period of the schedule at config key `key`, or a ConfigError that names the key. */
export function scheduleAt(key: string, text: unknown): number {
  const period = parseTextSchedule(text);
  if (period === undefined) {
    throw new ConfigError([{ key, value: text, expected: TEXT_SCHEDULE_EXPECTED }]);
  }
  return period;
}
