import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli-run.js';

const shipped = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

describe('sense-mqtt-relay test', () => {
  it('passes the fixtures shipped with the built-in and example pipelines', async () => {
    const { code, out } = await runCli([
      'test',
      shipped('config/pipeline-tests/task-events.test.yaml'),
      shipped('config/examples/task-events.test.yaml'),
    ]);
    expect(out).toContain('6 passed, 0 failed');
    expect(code).toBe(0);
  });

  it('says what differed, case by case, and exits 1', async () => {
    const { code, out } = await runCli([
      'test',
      shipped('spec/fixtures/pipeline-tests/wrong-expectations.test.yaml'),
    ]);
    expect(code).toBe(1);
    expect(out).toContain('FAIL  expects the wrong task name and a key the message lacks');
    expect(out).toContain('input 2 is no event: unknown-type');
    expect(out).toContain(
      'qliksense/task_failure #1: expected "Morning load", got "Nightly finance load"',
    );
    expect(out).toContain(
      'qliksense/task_failure_full #1: relay_enrichment: expected {"status":"complete"}, got {"status":"failed"',
    );
    expect(out).toContain('qliksense/task_aborted: expected 1 message(s), got 0');
    expect(out).toContain('0 passed, 1 failed');
  });

  it('refuses a fixture it cannot use, naming the problem, with exit 2', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'fixture-'));
    const unknown = join(folder, 'unknown.test.yaml');
    writeFileSync(
      unknown,
      'pipeline: no-such-pipeline\ncases:\n  - { name: x, input: [], expect: {} }\n',
    );
    const broken = join(folder, 'broken.test.yaml');
    writeFileSync(
      broken,
      'pipeline: butler-task-events\ncases:\n  - { name: x, input: [{ nothing: 1 }], expect: {} }\n',
    );

    const first = await runCli(['test', unknown]);
    expect(first.code).toBe(2);
    expect(first.err).toMatch(
      /no pipeline "no-such-pipeline" in the config \(it has: butler-task-events/,
    );
    const second = await runCli(['test', broken]);
    expect(second.code).toBe(2);
    expect(second.err).toContain(
      'cases[0].input[0]: expected { datagram: text } or { event: { kind, data } }',
    );
  });

  it('needs at least one fixture', async () => {
    await expect(runCli(['test'])).resolves.toMatchObject({ code: 2 });
  });
});
