import { SECRET_MASK } from '../../config/mask-config.js';
import { looksSecret } from '../../config/secret-like-keys.js';

export interface ExcerptOptions {
  /** Longest excerpt in characters, the closing ellipsis included. */
  readonly maxLength: number;
  /** Values hidden wherever they appear: the configured passwords and tokens. */
  readonly secrets: readonly string[];
}

/** How long an excerpt on the status page may be. */
export const EXCERPT_LENGTH = 300;

/** Longest payload parsed as JSON; a larger one is shown as text, from its start. */
const MAX_JSON_PARSE = 64 * 1024;
/** Characters of a text that masking looks at: far more than an excerpt shows, so a cut secret stays out of sight. */
const TEXT_SCAN = 16 * 1024;
/** Values visited in a structure and how deep: the excerpt is cut long before a larger one would be shown. */
const MAX_NODES = 200;
const MAX_DEPTH = 8;

/** Names the schema does not use but secrets go by elsewhere: HTTP headers, API keys, cookies. */
const OTHER_SECRET_NAMES = /auth|api[-_]?key|private[-_]?key|cookie|signature|passphrase/i;

// Every pattern is bounded or anchored so that a long run of one character stays linear.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]{0,256}:)[^\s/@]{1,256}@/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Digest)\s+[\w.~+/=-]+/gi;
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
/** `name=value`, `name: value`, `"name": "value"`; an unclosed quote runs to the end of the text. */
const NAME_VALUE =
  /(["']?)(?<![\w.-])([\w.-]{1,64})\1(\s*[:=]\s*)("(?:[^"\\]|\\.)*(?:"|$)|'[^']*(?:'|$)|[^\s,;&"'{}[\]]+)/g;
// Control characters and U+FFFD (undecodable bytes) would garble the page; runs of white space
// become one space so that an excerpt reads as one line.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F\uFFFD]/g;
const WHITE_SPACE = /\s+/g;

/** True for a key whose value must not be shown: the config's secret names and their look-alikes. */
export function secretLikeName(name: string): boolean {
  return looksSecret(name) || OTHER_SECRET_NAMES.test(name);
}

/**
 * A short, readable, masked excerpt of anything a pipeline saw: an event's data, or a message
 * payload (text, JSON text or bytes). JSON is parsed and every value under a secret-like key is
 * masked; in text, `name=value` pairs with such names, credentials in URLs, authorisation
 * headers, JWTs and the configured secrets are masked. Bounded work whatever the input's size.
 */
export function maskedExcerpt(value: unknown, options: ExcerptOptions): string {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    return shorten(JSON.stringify(maskedCopy(value, options)) ?? '', options);
  }
  const { text, complete } = textOf(value);
  const parsed = complete ? parseJson(text) : undefined;
  const shown =
    parsed === undefined
      ? maskText(text.slice(0, TEXT_SCAN), options.secrets)
      : JSON.stringify(maskedCopy(parsed.value, options));
  return shorten(shown, options);
}

/** Masks secrets in free text (see `maskedExcerpt`). */
export function maskText(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) masked = masked.split(secret).join(SECRET_MASK);
  return masked
    .replace(URL_CREDENTIALS, `$1${SECRET_MASK}@`)
    .replace(AUTH_SCHEME, `$1 ${SECRET_MASK}`)
    .replace(JWT, SECRET_MASK)
    .replace(
      NAME_VALUE,
      (match: string, quote: string, name: string, separator: string, secret: string) =>
        secretLikeName(name) ? `${quote}${name}${quote}${separator}${maskLike(secret)}` : match,
    );
}

/** The mask, quoted as the value it replaces was. */
function maskLike(value: string): string {
  const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
  return `${quote}${SECRET_MASK}${quote}`;
}

/** The start of a text or of UTF-8 bytes, and whether that is all of it. */
function textOf(value: string | Uint8Array): { text: string; complete: boolean } {
  if (typeof value === 'string') {
    const complete = value.length <= MAX_JSON_PARSE;
    return { text: complete ? value : value.slice(0, TEXT_SCAN), complete };
  }
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const complete = bytes.length <= MAX_JSON_PARSE;
  // Four bytes per character at most: enough bytes to fill the scanned text.
  const text = bytes.subarray(0, complete ? bytes.length : TEXT_SCAN * 4).toString('utf8');
  return { text: complete ? text : text.slice(0, TEXT_SCAN), complete };
}

function parseJson(text: string): { value: unknown } | undefined {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return undefined; // a bare number or word is shown as text
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * A copy of `value` that JSON can show, with secret-like keys masked, bytes decoded, JSON text
 * parsed, and other strings masked as text. It stops (`…`) after `MAX_NODES` values, `MAX_DEPTH` levels, or once it holds
 * twice what an excerpt shows, so a large structure costs no more than a small one.
 */
function maskedCopy(value: unknown, options: ExcerptOptions): unknown {
  let nodes = MAX_NODES;
  let room = options.maxLength * 2; // characters the copy may still show, roughly as JSON
  const full = (): boolean => nodes <= 0 || room <= 0;
  const copy = (item: unknown, name: string, depth: number): unknown => {
    nodes -= 1;
    room -= name.length + 4;
    if (name !== '' && secretLikeName(name) && !isEmpty(item)) return SECRET_MASK;
    if (typeof item === 'string' || item instanceof Uint8Array) {
      const { text: raw, complete } = textOf(item);
      // JSON inside JSON (an MQTT payload in an event): shown, and masked, by its keys.
      const parsed = complete && depth < MAX_DEPTH ? parseJson(raw) : undefined;
      if (parsed !== undefined) return copy(parsed.value, '', depth + 1);
      // Masked before it is cut, so a cut never opens a secret up.
      const text = maskText(raw.slice(0, TEXT_SCAN), options.secrets);
      room -= text.length;
      return text.slice(0, options.maxLength + 1); // more cannot show in one excerpt
    }
    if (typeof item === 'bigint') return item.toString();
    if (typeof item !== 'object' || item === null) return item; // numbers, booleans, null; JSON drops the rest
    if (item instanceof Date) return Number.isNaN(item.getTime()) ? null : item.toISOString();
    if (depth >= MAX_DEPTH) return '…';
    const out: [string, unknown][] = [];
    for (const [key, entry] of entriesOf(item)) {
      if (full()) {
        out.push(['…', '…']);
        break;
      }
      out.push([key, copy(entry, key, depth + 1)]);
    }
    const list = Array.isArray(item) || item instanceof Set;
    return list ? out.map(([, entry]) => entry) : Object.fromEntries(out);
  };
  return copy(value, '', 0);
}

/** Keys and values of a map, list or object, one at a time, so a huge one is never copied whole. */
function* entriesOf(item: object): Generator<[string, unknown]> {
  if (item instanceof Map) {
    for (const [key, entry] of item) yield [String(key), entry];
  } else if (Array.isArray(item) || item instanceof Set) {
    for (const entry of item as Iterable<unknown>) yield ['', entry];
  } else {
    for (const key in item) {
      if (Object.hasOwn(item, key)) yield [key, (item as Record<string, unknown>)[key]];
    }
  }
}

function isEmpty(value: unknown): boolean {
  return value === '' || value === null || value === undefined;
}

/** One line of printable text, at most `maxLength` characters, `…` marking a cut. */
function shorten(text: string, options: ExcerptOptions): string {
  const clean = text.replace(UNPRINTABLE, '?').replace(WHITE_SPACE, ' ').trim();
  const characters = Array.from(clean.slice(0, options.maxLength * 2));
  return characters.length <= options.maxLength && clean.length <= options.maxLength * 2
    ? clean
    : `${characters.slice(0, options.maxLength - 1).join('')}…`;
}
