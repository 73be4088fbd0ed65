const MAX_SHOWN_LENGTH = 80;

/**
 * A short, unambiguous rendering of a value someone else supplied, for a log line or an error
 * message: strings quoted, long values cut, and never a throw, whatever the value holds.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    // A cycle or a bigint inside; Object.prototype's toString cannot be overridden by the value.
    shown = Object.prototype.toString.call(value);
  }
  return shown.length > MAX_SHOWN_LENGTH ? `${shown.slice(0, MAX_SHOWN_LENGTH - 1)}…` : shown;
}
