import { SENSITIVE_PATHS } from '../../config/mask-config.js';
import { valueAt } from '../../config/object-paths.js';
import type { RelayConfig } from '../../config/types.js';

/** Shorter secrets would mask ordinary words; their keys' names still hide them where named. */
const MIN_SECRET_LENGTH = 4;

/**
 * The values of the settings the schema marks sensitive (passwords, tokens), so that the status
 * page can mask them wherever they turn up in a payload.
 */
export function configuredSecrets(config: RelayConfig): string[] {
  return SENSITIVE_PATHS.map((path) => valueAt(config, path)).filter(
    (value): value is string => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH,
  );
}
