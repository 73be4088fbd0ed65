/** Longest field kept, in UTF-16 code units, as Butler keeps it. */
export const MAX_FIELD_LENGTH = 500;

// Removing control characters is the point of this expression.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F]/g;

/**
 * Removes U+0000–U+001F and U+007F (so a multi-line message becomes one line), then cuts to
 * 500 UTF-16 code units. No trimming. A cut never splits a surrogate pair: a lone half would
 * turn into U+FFFD on the way out.
 */
export function cleanField(value: string): string {
  const printable = value.replace(CONTROL_CHARACTERS, '');
  if (printable.length <= MAX_FIELD_LENGTH) return printable;
  const splitsPair = isHighSurrogate(printable.charCodeAt(MAX_FIELD_LENGTH - 1));
  return printable.slice(0, splitsPair ? MAX_FIELD_LENGTH - 1 : MAX_FIELD_LENGTH);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
