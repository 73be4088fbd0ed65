import convict from 'convict';
import { dirname, resolve } from 'node:path';
import { checkRelations } from './check-relations.js';
import { checkSettings } from './check-settings.js';
import { ConfigError } from './config-error.js';
import { readConfigFile } from './read-config-file.js';
import { resolveFilePaths } from './resolve-file-paths.js';
import { relaySchema } from './schema.js';
import { splitFileData, type FileData } from './split-file-data.js';
import type { RelayConfig } from './types.js';
import { envLayer, fileLayer, overrideLayer, type ValueOrigin } from './value-layers.js';

export interface LoadConfigOptions {
  /** YAML or JSON file; without one, only defaults, env vars and overrides apply. */
  file?: string;
  /** Environment to read `BUTLER_*` and `RELAY_*` variables from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Values by dotted path (e.g. from command-line options); they win over everything else. */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: RelayConfig;
  /** Absolute path of the file loaded, if any. */
  file?: string;
  /** Dotted paths of the sections and keys the relay does not use, e.g. `Butler.emailNotification`. */
  ignored: string[];
}

/**
 * Builds the configuration from defaults < file < env vars < overrides, checks all of it and
 * throws one ConfigError listing every problem. Relative file paths come back absolute.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const file = options.file === undefined ? undefined : resolve(options.file);
  const fileData: FileData =
    file === undefined
      ? { values: new Map(), ignored: [], problems: [] }
      : splitFileData(readConfigFile(file), file);
  const overrides = overrideLayer(options.overrides ?? {});
  const layers = [
    ...fileLayer(fileData.values),
    ...envLayer(options.env ?? process.env),
    ...overrides.values,
  ];

  // convict supplies the defaults and turns text into typed values. It is given no env or
  // arguments of its own: it would re-apply env vars after every file it loads, while applying
  // the layers here keeps their order plain and records where each value came from.
  const store = convict<RelayConfig>(relaySchema, { env: {}, args: [] });
  const origins = new Map<string, ValueOrigin>();
  for (const { path, value, origin } of layers) {
    store.set(path, value);
    origins.set(path, origin);
  }
  const config = store.getProperties();

  const originOf = (path: string): string | undefined => {
    const origin = origins.get(path);
    return origin === 'file' ? undefined : origin;
  };
  const problems = [
    ...fileData.problems,
    ...overrides.problems,
    ...checkSettings(config, originOf),
    ...checkRelations(config, originOf),
  ];
  if (problems.length > 0) throw new ConfigError(problems);

  // A path in the file is relative to the file; one from env or the command line to the
  // working directory, where the user typed it.
  resolveFilePaths(config, (path) =>
    file !== undefined && origins.get(path) === 'file' ? dirname(file) : process.cwd(),
  );
  return { config, ignored: fileData.ignored, ...(file === undefined ? {} : { file }) };
}
