import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type LoadConfigOptions } from '../../lib/config/index.js';

/** Absolute path of a file in spec/config/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Absolute path of a file in the project's config folder. */
export function shippedConfig(name: string): string {
  return fileURLToPath(new URL(`../../config/${name}`, import.meta.url));
}

/** The ConfigError that loading throws; fails the test when loading succeeds. */
export function loadError(options: LoadConfigOptions): ConfigError {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

/**
 * Writes a config file to a fresh temporary folder, for content that cannot live in fixtures/
 * (the formatter refuses YAML that does not parse) or that needs exact bytes such as tabs.
 */
export function temporaryFile(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'relay-config-')), name);
  writeFileSync(file, content);
  return file;
}

/** YAML with an unterminated quoted string whose content must never show up in messages. */
export const BROKEN_YAML =
  'Butler:\n  mqttConfig:\n    brokerHost: "unterminated\n    brokerPort: 1883\n';
