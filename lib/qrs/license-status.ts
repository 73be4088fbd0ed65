import type { RelayEvent } from '../events.js';
import type { QrsLicense } from './qrs-types.js';

/** Butler's recurring licence message (facts 7.3), keys in its order. */
export interface LicenseStatus {
  /** The Repository Service's `isExpired`. */
  readonly licenseExpired: boolean;
  /** The whole value of the `Valid To:` line, e.g. `2026-12-31` or `2099-12-31T00:00:00Z`. */
  readonly expiryDateStr: string | null;
  /** Whole days left, rounded up; negative once the date has passed; null without a date. */
  readonly daysUntilExpiry: number | null;
}

export type LicenseStatusEvent = RelayEvent<'license.status', LicenseStatus>;

const DAY_MS = 86_400_000;
const VALID_TO = /^\s*Valid To\s*:(.*)$/i;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads the expiry from `keyDetails` as Butler means to, without its bugs (facts 7.2): the date
 * is everything after the first `:` (so a time part survives), a past date gives negative days
 * (Butler's absolute value makes an expired licence look like days left), and a missing or
 * unreadable date gives null days rather than NaN.
 */
export function licenseStatusOf(license: QrsLicense, now: number): LicenseStatus {
  const line = license.keyDetails
    .split(/\r?\n/)
    .map((text) => VALID_TO.exec(text))
    .find((found) => found !== null);
  const expiryDateStr = line ? (line[1] ?? '').trim() : null;
  const expiry = expiryDateStr === null ? NaN : dateOf(expiryDateStr);
  return {
    licenseExpired: license.isExpired === true,
    expiryDateStr,
    daysUntilExpiry: Number.isNaN(expiry) ? null : daysBetween(now, expiry),
  };
}

/** A date alone counts from midnight UTC, as `new Date('2026-12-31')` (and Butler) does. */
function dateOf(text: string): number {
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) return Date.UTC(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3]));
  return Date.parse(text);
}

/** Butler's rounding (up, whole days) for the time left, mirrored for the time since. */
function daysBetween(now: number, expiry: number): number {
  const difference = expiry - now;
  const days = Math.ceil(Math.abs(difference) / DAY_MS);
  return difference < 0 ? -days : days;
}
