import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What `npm install -g sense-mqtt-relay` gives a user: the packed tarball installed into an empty
 * project works on its own, with the embedded default config and its native outbox store.
 */
describe('the packed package', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'relay-pack-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('installs from its tarball and runs --help, check-config and config-reference', async () => {
    // dist/ is built already (pretest); rebuilding it here would race the specs that run it.
    await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', folder], {
      cwd: ROOT,
    });
    const tarball = readdirSync(folder).find((file) => file.endsWith('.tgz'));
    if (tarball === undefined) throw new Error('npm pack made no tarball');

    const project = join(folder, 'project');
    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), '{"name":"pack-check","private":true}\n');
    await run('npm', ['install', '--no-audit', '--no-fund', join(folder, tarball)], {
      cwd: project,
    });

    const bin = join(project, 'node_modules', '.bin', 'sense-mqtt-relay');
    const help = await run(bin, ['--help'], { cwd: project });
    expect(help.stdout).toContain('Usage: sense-mqtt-relay');
    const check = await run(bin, ['check-config'], { cwd: project });
    expect(check.stdout).toMatch(/^config OK: .*config[/\\]default\.yaml/);
    const reference = await run(bin, ['config-reference'], { cwd: project });
    expect(reference.stdout).toContain('`RELAY_OUTBOX_DIRECTORY`');

    // Only what a user needs: no specs, no bench, no TypeScript sources.
    const listing = await run('tar', ['-tzf', join(folder, tarball)]);
    expect(listing.stdout).toContain('package/dist/lib/index.js');
    expect(listing.stdout).not.toMatch(/package\/(spec|bench|lib)\/|dist\/(spec|bench)\//);
  }, 240_000);
});
