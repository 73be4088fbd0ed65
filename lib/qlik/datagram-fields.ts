import { isUtf8 } from 'node:buffer';
import { cleanField } from './clean-field.js';
import { parseProblem, type ParseProblem } from './datagram-parse-result.js';

/** The datagram as text, or why it is none: empty, or not valid UTF-8. */
export function decodeDatagram(bytes: Buffer): string | { readonly problem: ParseProblem } {
  if (bytes.length === 0) return parseProblem('malformed', 'empty datagram');
  if (!isUtf8(bytes)) return parseProblem('malformed', 'not valid UTF-8');
  return bytes.toString('utf8');
}

/** The named fields of a datagram, cleaned, and what cleaning and joining did. */
export interface DatagramFields<Name extends string> {
  readonly values: Readonly<Record<Name, string>>;
  /** Names of the fields that cleaning changed. */
  readonly cleanedFields: readonly Name[];
  /** True when surplus `;` were kept as part of the last field. */
  readonly recovered: boolean;
}

/**
 * Names the `;`-separated parts in order and cleans each (cleanField). log4net does not escape
 * `;`, so parts beyond the names can only be pieces of the last field (the log message), and are
 * joined back into it. The caller has checked that there are at least as many parts as names.
 */
export function namedDatagramFields<const Names extends readonly string[]>(
  parts: readonly string[],
  names: Names,
): DatagramFields<Names[number]> {
  const recovered = parts.length > names.length;
  const joined = recovered
    ? [...parts.slice(0, names.length - 1), parts.slice(names.length - 1).join(';')]
    : parts;
  const cleanedFields: Names[number][] = [];
  const values: Record<string, string> = {};
  names.forEach((name: Names[number], index) => {
    const raw = joined[index] ?? '';
    const clean = cleanField(raw);
    if (clean !== raw) cleanedFields.push(name);
    values[name] = clean;
  });
  return { values: values as Record<Names[number], string>, cleanedFields, recovered };
}
