import type { ConfigProblem } from './config-error.js';
import { maskSecret } from './mask-config.js';
import { looksSecret } from './secret-like-keys.js';
import { SETTINGS, findSetting } from './settings.js';

/** Where a value came from: the config file, an env var (`env NAME`) or an override. */
export type ValueOrigin = 'file' | 'override' | `env ${string}`;

/** One value for one setting, from one layer of the configuration. */
export interface LayerValue {
  path: string;
  value: unknown;
  origin: ValueOrigin;
}

export function fileLayer(values: ReadonlyMap<string, unknown>): LayerValue[] {
  return [...values].map(([path, value]) => ({ path, value, origin: 'file' }));
}

/** Values of the env vars named in the schema; the text is turned into a value when set. */
export function envLayer(env: NodeJS.ProcessEnv): LayerValue[] {
  return SETTINGS.flatMap((info) => {
    const text = env[info.envName];
    return text === undefined
      ? []
      : [{ path: info.path, value: text, origin: `env ${info.envName}` }];
  });
}

/**
 * Overrides name single settings by dotted path; anything else is a mistake by the caller.
 * An undefined value means "not given" (an option left off the command line).
 */
export function overrideLayer(overrides: Readonly<Record<string, unknown>>): {
  values: LayerValue[];
  problems: ConfigProblem[];
} {
  const values: LayerValue[] = [];
  const problems: ConfigProblem[] = [];
  for (const [path, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (findSetting(path) === undefined) {
      problems.push({
        key: path,
        value: looksSecret(path) ? maskSecret(value) : value,
        expected: 'the dotted path of a setting, e.g. Relay.log.level',
        origin: 'override',
      });
    } else {
      values.push({ path, value, origin: 'override' });
    }
  }
  return { values, problems };
}
