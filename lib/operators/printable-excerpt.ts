// Control characters (C0, DEL, C1) and U+FFFD from undecodable bytes would garble a log line.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\uFFFD]/g;

/** The start of a datagram as readable text: undecodable and control characters become `?`. */
export function printableExcerpt(bytes: Buffer, maxLength = 200): string {
  // Decoding 4 bytes per character is enough to fill the excerpt.
  const text = bytes
    .subarray(0, maxLength * 4)
    .toString('utf8')
    .replace(UNPRINTABLE, '?');
  const characters = Array.from(text);
  return characters.length <= maxLength
    ? characters.join('')
    : `${characters.slice(0, maxLength - 1).join('')}…`;
}
