import type convict from 'convict';
import type { ValueFormat } from './formats.js';

/** One leaf of the schema: a setting with its format, default, env var and description. */
export interface SettingSpec<T = unknown> extends convict.SchemaObj<T> {
  format: string;
  doc: string;
  env?: string;
  sensitive?: boolean;
  nullable?: boolean;
}

/** A branch of the schema: named settings and sub-sections. */
export interface SchemaSection {
  readonly [key: string]: SchemaNode;
}

export type SchemaNode = SettingSpec | SchemaSection;

/** convict's own rule: a schema node with a `default` is a setting, anything else a section. */
export function isSettingSpec(node: SchemaNode): node is SettingSpec {
  return Object.hasOwn(node, 'default');
}

interface SettingOptions {
  /** Masked wherever the configuration is shown (passwords, tokens). */
  sensitive?: boolean;
}

export function setting<T>(
  format: ValueFormat<T>,
  defaultValue: NoInfer<T>,
  doc: string,
  options: SettingOptions = {},
): SettingSpec<T> {
  return { format: format.name, default: defaultValue, doc, ...options };
}

/** A setting that also accepts `null`, for Butler keys whose template value is empty. */
export function nullableSetting<T>(
  format: ValueFormat<T>,
  defaultValue: NoInfer<T> | null,
  doc: string,
): SettingSpec<T | null> {
  return { format: format.name, default: defaultValue, doc, nullable: true };
}

/** `Butler.mqttConfig.brokerHost` → `BUTLER_MQTTCONFIG_BROKERHOST`. */
export function envNameFor(path: string): string {
  return path.replaceAll('.', '_').toUpperCase();
}

/** Gives every setting the env var named after its path, so no name is written by hand. */
export function withEnvNames<T>(schema: convict.Schema<T>): convict.Schema<T> {
  // A typed schema is a tree of sections and settings; walk it without its per-key types.
  const visit = (section: SchemaSection, prefix: string): void => {
    for (const [key, node] of Object.entries(section)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (isSettingSpec(node)) node.env = envNameFor(path);
      else visit(node, path);
    }
  };
  visit(schema as unknown as SchemaSection, '');
  return schema;
}
