import type { ConfigProblem } from './config-error.js';
import { maskSecret } from './mask-config.js';
import { valueAt } from './object-paths.js';
import { SETTINGS } from './settings.js';

/** Where a setting's value came from, for messages; undefined for the file or the default. */
export type OriginOf = (path: string) => string | undefined;

/** Checks every setting against its format and reports each one that does not fit. */
export function checkSettings(config: unknown, originOf: OriginOf): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const info of SETTINGS) {
    const value = valueAt(config, info.path);
    if ((info.nullable && value === null) || info.format.accepts(value)) continue;
    const origin = originOf(info.path);
    problems.push({
      key: info.path,
      value: info.sensitive ? maskSecret(value) : value,
      expected: info.nullable ? `${info.format.expected}, or null` : info.format.expected,
      ...(origin === undefined ? {} : { origin }),
    });
  }
  return problems;
}
