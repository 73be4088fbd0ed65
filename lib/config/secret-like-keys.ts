import { SENSITIVE_PATHS } from './mask-config.js';

/** Last parts of the sensitive paths: `password`, `token`. */
const SENSITIVE_NAMES = [...new Set(SENSITIVE_PATHS.map((path) => lastKeyOf(path).toLowerCase()))];

/**
 * For keys the schema does not know: true when the name suggests a secret or is a misspelling
 * of a sensitive key (`pasword`), so that its value is not repeated in messages.
 */
export function looksSecret(keyPath: string): boolean {
  const name = lastKeyOf(keyPath).toLowerCase();
  return (
    /pass|pwd|secret|token|cred/.test(name) ||
    SENSITIVE_NAMES.some((sensitive) => editDistance(name, sensitive) <= 2)
  );
}

function lastKeyOf(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** Levenshtein distance: the fewest single-letter edits that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
