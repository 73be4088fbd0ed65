import { replaceValueAt, valueAt } from './object-paths.js';
import { SETTINGS } from './settings.js';
import type { RelayConfig } from './types.js';

/** What a secret is shown as. */
export const SECRET_MASK = '********';

/** Dotted paths of the settings marked `sensitive` in the schema. */
export const SENSITIVE_PATHS = SETTINGS.filter((info) => info.sensitive).map((info) => info.path);

/** Hides a secret value; empty values stay as they are, since they reveal nothing. */
export function maskSecret(value: unknown): unknown {
  return value === '' || value === null || value === undefined ? value : SECRET_MASK;
}

/** A copy of the configuration with every sensitive setting (passwords, tokens) masked. */
export function maskConfig(config: RelayConfig): RelayConfig {
  const copy = structuredClone(config);
  for (const path of SENSITIVE_PATHS) {
    replaceValueAt(copy, path, maskSecret(valueAt(copy, path)));
  }
  return copy;
}
