import { readFileSync } from 'node:fs';
import { renderConfigurationReference } from '../../lib/config/configuration-reference.js';
import { SETTINGS } from '../../lib/config/settings.js';

const DOC = new URL('../../docs/configuration.md', import.meta.url);

describe('docs/configuration.md', () => {
  it('is the reference the schema gives (regenerate with `npm run docs:config`)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(renderConfigurationReference());
  });

  it('names every key with its environment variable', () => {
    const reference = renderConfigurationReference();
    for (const { envName } of SETTINGS) expect(reference).toContain(`\`${envName}\``);
  });

  it('shows no secret default', () => {
    const reference = renderConfigurationReference();
    const secrets = SETTINGS.filter((s) => s.sensitive && typeof s.defaultValue === 'string');
    for (const { defaultValue } of secrets) {
      if (defaultValue !== '') expect(reference).not.toContain(String(defaultValue));
    }
  });
});
