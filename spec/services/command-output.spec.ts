import { readFileSync } from 'node:fs';
import { parseCommandOutput } from '../../lib/sources/services/probes/command-output.js';
import { commandProbe } from '../../lib/sources/services/probes/command.js';
import type { RunCommand } from '../../lib/sources/services/run-command.js';

describe('what a user command may print', () => {
  it.each([
    ['RUNNING\n', 'RUNNING'],
    ['stopped', 'STOPPED'],
    ['Paused', 'PAUSED'],
    ['start_pending', 'START_PENDING'],
    ['active\n', 'RUNNING'],
    ['inactive\n', 'STOPPED'],
    ['failed\n', 'STOPPED'],
    ['activating\n', 'START_PENDING'],
    ['deactivating\n', 'STOP_PENDING'],
    ['  up  \n', 'RUNNING'],
  ])('%j is %s', (output, state) => {
    expect(parseCommandOutput(output)).toEqual({ state });
  });

  it('sc.exe query output, e.g. from ssh host sc query', () => {
    const text = readFileSync(new URL('../fixtures/sc/query-paused.txt', import.meta.url), 'utf8');
    expect(parseCommandOutput(text)).toEqual({ state: 'PAUSED' });
  });

  it('a JSON object with details', () => {
    expect(
      parseCommandOutput(
        '{"state":"stopped","displayName":"Engine","startType":"Manual","exePath":"/opt/e","dependencies":["a",1,"b"]}',
      ),
    ).toEqual({
      state: 'STOPPED',
      displayName: 'Engine',
      startType: 'Manual',
      exePath: '/opt/e',
      dependencies: ['a', 'b'],
    });
  });

  it.each(['', 'maybe', '{"state":"sleeping"}', '{broken', '[1]', 'STATE : nothing'])(
    '%j names no state',
    (output) => {
      expect(parseCommandOutput(output)).toBeUndefined();
    },
  );
});

describe('the command probe', () => {
  const signal = new AbortController().signal;

  it('fills {host} and {service} into the arguments and runs them without a shell', async () => {
    const calls: string[][] = [];
    const run: RunCommand = (file, args) => {
      calls.push([file, ...args]);
      return Promise.resolve({ stdout: 'inactive\n', stderr: '', exitCode: 3 });
    };
    const probe = commandProbe({
      command: ['ssh', '{host}', 'systemctl is-active {service}'],
      run,
    });
    await expect(probe.read('qs-node1', 'x; rm -rf /', signal)).resolves.toEqual({
      state: 'STOPPED',
    });
    expect(calls).toEqual([['ssh', 'qs-node1', 'systemctl is-active x; rm -rf /']]);
  });

  it('rejects with the exit code and what the command said when it names no state', async () => {
    const run: RunCommand = () =>
      Promise.resolve({
        stdout: '',
        stderr: 'ssh: connect to host qs-node9 port 22: No route to host\n',
        exitCode: 255,
      });
    await expect(
      commandProbe({ command: ['ssh', '{host}', 'true'], run }).read('qs-node9', 's', signal),
    ).rejects.toThrow(
      'ssh exited with 255: ssh: connect to host qs-node9 port 22: No route to host',
    );
    const silent: RunCommand = () =>
      Promise.resolve({ stdout: 'hello\n', stderr: '', exitCode: 0 });
    await expect(
      commandProbe({ command: ['echo'], run: silent }).read('h', 's', signal),
    ).rejects.toThrow('echo printed no service state: hello');
  });

  it('needs a program', () => {
    expect(() => commandProbe({ command: [] })).toThrow(/needs a command/);
  });

  it('says so when the program cannot be found', async () => {
    await expect(
      commandProbe({ command: ['/nonexistent/relay-probe'] }).read('h', 's', signal),
    ).rejects.toThrow('could not run /nonexistent/relay-probe: not found on PATH');
  });
});
