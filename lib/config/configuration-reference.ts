import { SETTINGS, type SettingInfo } from './settings.js';

/**
 * docs/configuration.md, made from the schema so the reference can never drift from what the
 * relay accepts: every key with its type, default, environment variable and description, grouped
 * by section. `sense-mqtt-relay config-reference` prints it; a spec checks the file is current.
 */
export function renderConfigurationReference(): string {
  const sections = new Map<string, SettingInfo[]>();
  for (const info of SETTINGS) {
    const section = sectionOf(info.path);
    sections.set(section, [...(sections.get(section) ?? []), info]);
  }
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from lib/config/schema.ts by `sense-mqtt-relay config-reference`; do not edit. -->',
    '',
    'Every key the relay reads. `Butler.*` keys have the names, types and defaults of a Butler',
    'config file; `Relay.*` keys are the relay’s own. A key left out takes its default. Every key',
    'can also be set by the environment variable shown (it wins over the file). Relative file paths',
    'are resolved against the folder of the config file; `(secret)` marks values that',
    '`print-config` masks.',
    '',
  ];
  for (const [section, settings] of sections) {
    lines.push(
      `## ${section}`,
      '',
      '| Key | Type | Default | Environment variable | Description |',
    );
    lines.push('| --- | --- | --- | --- | --- |');
    for (const info of settings) lines.push(row(section, info));
    lines.push('');
  }
  return lines.join('\n');
}

/** The first two levels of a path (`Relay.publish`), or the top level for a key directly under it. */
function sectionOf(path: string): string {
  const parts = path.split('.');
  return parts.length <= 2 ? (parts[0] ?? path) : parts.slice(0, 2).join('.');
}

function row(section: string, info: SettingInfo): string {
  const key = info.path.startsWith(`${section}.`) ? info.path.slice(section.length + 1) : info.path;
  const type = info.nullable ? `${info.format.expected}, or null` : info.format.expected;
  const description = info.sensitive ? `${info.doc} (secret)` : info.doc;
  return `| \`${key}\` | ${cell(type)} | ${defaultCell(info)} | \`${info.envName}\` | ${cell(description)} |`;
}

function defaultCell(info: SettingInfo): string {
  if (info.sensitive && info.defaultValue !== '') return '(secret)';
  return `\`${JSON.stringify(info.defaultValue)?.replaceAll('|', '\\|') ?? 'undefined'}\``;
}

/** Table cells cannot hold a bare `|` or a line break. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
