import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli-run.js';

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'relay-check-'));
}

function configFile(yaml: string, dir = folder()): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

const PIPELINES = `
Relay:
  pipelines:
    - name: successes
      source: log-appender
      steps:
        - filter: { kind: task.success }
        - shout: {}
      routes:
        - topic: site/success
    - name: broken
      source: carrier-pigeon
      routes: []
`;

describe('check-config on Relay.pipelines', () => {
  it('exits 1 and lists every problem that would stop run, with its path', async () => {
    const { code, err } = await runCli(['check-config', '-c', configFile(PIPELINES)]);
    expect(code).toBe(1);
    expect(err).toContain('Relay.pipelines[0].steps[1].shout: unknown step; known: filter');
    expect(err).toContain('Relay.pipelines[1].source.type: unknown source "carrier-pigeon"');
    expect(err).toContain('Relay.pipelines[1].routes: expected a non-empty list of routes');
  });

  it('counts the sources and steps that pipeline modules register', async () => {
    const modules = folder();
    writeFileSync(
      join(modules, 'shout.mjs'),
      "export function register(catalog) {\n  catalog.registerStep('shout', () => (events) => events);\n}\n",
    );
    const valid = PIPELINES.replace(/ {4}- name: broken[\s\S]*$/, '');
    const file = configFile(`${valid}  pipelineModules: ${modules}\n`);
    const { code, out, err } = await runCli(['check-config', '-c', file]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('config OK');
  });
});
