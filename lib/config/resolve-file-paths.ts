import { isAbsolute, resolve } from 'node:path';
import { filePath } from './formats.js';
import { replaceValueAt, valueAt } from './object-paths.js';
import { SETTINGS } from './settings.js';

const FILE_PATH_SETTINGS = SETTINGS.filter((info) => info.format === filePath);

/**
 * Makes every relative path in the configuration absolute, against the folder that
 * `baseFolderOf` names for that setting. '' (not set) and null stay as they are.
 */
export function resolveFilePaths(config: unknown, baseFolderOf: (path: string) => string): void {
  for (const { path } of FILE_PATH_SETTINGS) {
    const value = valueAt(config, path);
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) {
      replaceValueAt(config, path, resolve(baseFolderOf(path), value));
    }
  }
}
