import { readFileSync } from 'node:fs';
import { parseSystemctlShow } from '../../lib/sources/services/probes/systemctl-show-output.js';
import { systemdProbe } from '../../lib/sources/services/probes/systemd.js';
import type { RunCommand } from '../../lib/sources/services/run-command.js';

const show = (name: string): string =>
  readFileSync(new URL(`../fixtures/systemctl/${name}`, import.meta.url), 'utf8');

describe('systemctl show output', () => {
  it('an active unit is RUNNING, with its description, start type, command line and services it requires', () => {
    expect(parseSystemctlShow(show('show-active.txt'), 'relay-probe-test')).toEqual({
      state: 'RUNNING',
      displayName: 'Relay probe test unit',
      startType: 'Automatic',
      exePath: '/usr/bin/sleep 1000',
      dependencies: ['relay-probe-db.service'],
    });
  });

  it.each([
    ['show-inactive.txt', 'STOPPED', 'Automatic'],
    ['show-failed.txt', 'STOPPED', 'Manual'],
    ['show-activating.txt', 'START_PENDING', 'Manual'],
    ['show-deactivating.txt', 'STOP_PENDING', 'Automatic'],
    ['show-masked.txt', 'STOPPED', 'Disabled'],
  ])('%s is %s and starts %s', (fixture, state, startType) => {
    expect(parseSystemctlShow(show(fixture), 'unit')).toMatchObject({ state, startType });
  });

  it('a masked unit without ExecStart falls back to its unit file path', () => {
    expect(parseSystemctlShow(show('show-masked.txt'), 'm').exePath).toBe('/dev/null');
  });

  it('a unit systemd does not know is an error, not STOPPED', () => {
    expect(() => parseSystemctlShow(show('show-not-found.txt'), 'no-such-unit')).toThrow(
      'unit no-such-unit not found',
    );
    expect(() => parseSystemctlShow('', 'x')).toThrow(/printed nothing/);
    expect(() =>
      parseSystemctlShow(
        show('show-active.txt').replace('LoadState=loaded', 'LoadState=bad-setting'),
        'x',
      ),
    ).toThrow(/could not be loaded \(LoadState=bad-setting\)/);
  });
});

describe('the systemd probe', () => {
  const signal = new AbortController().signal;

  it('asks systemctl show for the properties it reads, the unit after --', async () => {
    const calls: string[][] = [];
    const run: RunCommand = (file, args) => {
      calls.push([file, ...args]);
      return Promise.resolve({ stdout: show('show-active.txt'), stderr: '', exitCode: 0 });
    };
    await systemdProbe({ run }).read('localhost', 'relay-probe-test', signal);
    expect(calls).toEqual([
      [
        'systemctl',
        'show',
        '--no-pager',
        '--property=Id,Description,LoadState,ActiveState,SubState,UnitFileState,ExecStart,FragmentPath,Requires',
        '--',
        'relay-probe-test',
      ],
    ]);
  });

  it("reads this machine by any of its names, and refuses other hosts (a Butler config's Windows servers)", async () => {
    const run: RunCommand = () =>
      Promise.resolve({ stdout: show('show-active.txt'), stderr: '', exitCode: 0 });
    const probe = systemdProbe({ run, localHostName: 'relay1.corp.example.com' });
    for (const host of ['localhost', '127.0.0.1', 'relay1.corp.example.com', 'RELAY1']) {
      await expect(probe.read(host, 'u', signal)).resolves.toMatchObject({ state: 'RUNNING' });
    }
    await expect(probe.read('qs-node1.corp.example.com', 'u', signal)).rejects.toThrow(
      /units of this machine only, not of qs-node1.corp.example.com; use the command probe/,
    );
  });

  it('says what systemctl said when it cannot work (no systemd as PID 1)', async () => {
    const run: RunCommand = () =>
      Promise.resolve({ stdout: '', stderr: show('no-systemd.txt'), exitCode: 1 });
    await expect(systemdProbe({ run }).read('localhost', 'u', signal)).rejects.toThrow(
      "systemctl exited with 1: System has not been booted with systemd as init system (PID 1). Can't operate.",
    );
  });
});
