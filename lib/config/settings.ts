import { formatNamed, type ValueFormat } from './formats.js';
import { relaySchema } from './schema.js';
import { isSettingSpec, type SchemaSection, type SettingSpec } from './setting-spec.js';

/** Everything known about one setting, derived from the schema. */
export interface SettingInfo {
  /** Dotted path, e.g. `Butler.mqttConfig.brokerPort`. */
  readonly path: string;
  readonly envName: string;
  readonly format: ValueFormat<unknown>;
  readonly nullable: boolean;
  readonly sensitive: boolean;
  readonly doc: string;
  readonly defaultValue: unknown;
}

/** The schema as a plain tree of sections and settings, for walking by key. */
export const schemaTree = relaySchema as unknown as SchemaSection;

function describeSetting(path: string, spec: SettingSpec): SettingInfo {
  const format = formatNamed(spec.format);
  if (format === undefined) throw new Error(`${path}: the schema names an unknown format`);
  return {
    path,
    envName: spec.env ?? '',
    format,
    nullable: spec.nullable === true,
    sensitive: spec.sensitive === true,
    doc: spec.doc,
    defaultValue: spec.default,
  };
}

function listSettings(section: SchemaSection, prefix: string): SettingInfo[] {
  return Object.entries(section).flatMap(([key, node]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return isSettingSpec(node) ? [describeSetting(path, node)] : listSettings(node, path);
  });
}

/** Every setting in schema order. */
export const SETTINGS: readonly SettingInfo[] = listSettings(schemaTree, '');

const settingsByPath = new Map(SETTINGS.map((info) => [info.path, info]));

export function findSetting(path: string): SettingInfo | undefined {
  return settingsByPath.get(path);
}
