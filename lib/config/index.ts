export { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { ConfigError, describeProblem, type ConfigProblem } from './config-error.js';
export { maskConfig, SECRET_MASK } from './mask-config.js';
export { relaySchema } from './schema.js';
export { SETTINGS, findSetting, type SettingInfo } from './settings.js';
export { envNameFor } from './setting-spec.js';
export type * from './types.js';
