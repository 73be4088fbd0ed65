import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const MAIN = fileURLToPath(new URL('../../dist/lib/cli/main.js', import.meta.url));

/** The npm packages in the CommonJS module cache after importing the CLI, in a fresh process. */
function packagesLoadedByCli(): string[] {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(MAIN)});
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const names = cache.map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1]);
    console.log(JSON.stringify([...new Set(names.filter(Boolean))]));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[];
}

describe('optional dependencies', () => {
  // Idle memory is a documented target: features a relay does not use must not cost it.
  it('are not loaded until a relay uses them (REST API, embedded broker, disk outbox)', () => {
    const loaded = packagesLoadedByCli();
    expect(loaded).toContain('mqtt'); // the check sees packages at all
    for (const optional of ['fastify', '@fastify/rate-limit', 'aedes', 'classic-level']) {
      expect(loaded).not.toContain(optional);
    }
  });
});
