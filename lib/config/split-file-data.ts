import type { ConfigProblem } from './config-error.js';
import { isPlainRecord } from './object-paths.js';
import { isSettingSpec, type SchemaSection } from './setting-spec.js';
import { schemaTree } from './settings.js';
import { maskSecret } from './mask-config.js';
import { looksSecret } from './secret-like-keys.js';

/** What a config file holds, sorted by what the relay does with it. */
export interface FileData {
  /** Values of known settings, by dotted path, exactly as the file has them. */
  values: Map<string, unknown>;
  /** Sections and keys the relay does not use (the rest of a Butler file). */
  ignored: string[];
  /** Unknown keys under `Relay`, and sections that are not mappings. */
  problems: ConfigProblem[];
}

/**
 * Walks the file along the schema. Unknown keys under `Butler` or at the top level belong to
 * other Butler features and are only listed; unknown keys under `Relay` are typos and reported.
 */
export function splitFileData(data: unknown, file: string): FileData {
  const result: FileData = { values: new Map(), ignored: [], problems: [] };
  if (data === null || data === undefined) return result;
  if (!isPlainRecord(data)) {
    result.problems.push({
      key: '(file)',
      value: file,
      expected: 'a YAML mapping with Butler: and/or Relay: at the top level',
    });
    return result;
  }
  for (const [key, value] of Object.entries(data)) {
    const section = Object.hasOwn(schemaTree, key) ? schemaTree[key] : undefined;
    if (section === undefined || isSettingSpec(section)) result.ignored.push(key);
    else walkSection(value, section, key, key === 'Relay', result);
  }
  return result;
}

function walkSection(
  value: unknown,
  section: SchemaSection,
  path: string,
  unknownKeysAreErrors: boolean,
  result: FileData,
): void {
  // A YAML section whose keys are all commented out is null: nothing set, defaults apply.
  if (value === null || value === undefined) return;
  if (!isPlainRecord(value)) {
    result.problems.push({
      key: path,
      value,
      expected: `a section (a YAML mapping) with the keys ${Object.keys(section).join(', ')}`,
    });
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}.${key}`;
    const node = Object.hasOwn(section, key) ? section[key] : undefined;
    if (node === undefined) {
      if (unknownKeysAreErrors) result.problems.push(unknownKeyProblem(childPath, child, section));
      else result.ignored.push(childPath);
    } else if (isSettingSpec(node)) {
      result.values.set(childPath, child);
    } else {
      walkSection(child, node, childPath, unknownKeysAreErrors, result);
    }
  }
}

function unknownKeyProblem(path: string, value: unknown, section: SchemaSection): ConfigProblem {
  return {
    key: path,
    value: looksSecret(path) ? maskSecret(value) : value,
    expected: `one of the keys known here (${Object.keys(section).join(', ')})`,
  };
}
