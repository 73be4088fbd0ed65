import { readFileSync } from 'node:fs';
import {
  parseScQc,
  parseScQuery,
  parseScQueryAll,
  scFailure,
} from '../../lib/sources/services/probes/sc-output.js';
import { windowsScProbe } from '../../lib/sources/services/probes/windows-sc.js';
import type { CommandResult, RunCommand } from '../../lib/sources/services/run-command.js';

const sc = (name: string): string =>
  readFileSync(new URL(`../fixtures/sc/${name}`, import.meta.url), 'utf8');

describe('sc.exe output', () => {
  it('fixtures keep the CRLF line endings sc.exe writes', () => {
    for (const name of [
      'query-all.txt',
      'query-running.txt',
      'qc-engine.txt',
      'qc-not-found.txt',
    ]) {
      expect(sc(name)).toContain('\r\n');
      expect(sc(name).replace(/\r\n/g, '')).not.toContain('\n');
    }
  });

  it('query state= all: one entry per block, with name, display name and every state', () => {
    expect(parseScQueryAll(sc('query-all.txt'))).toEqual([
      { name: 'AJRouter', displayName: 'AllJoyn Router Service', state: 'STOPPED' },
      {
        name: 'postgresql-x64-12',
        displayName: 'postgresql-x64-12 - PostgreSQL Server 12',
        state: 'PAUSE_PENDING',
      },
      {
        name: 'QlikSenseEngineService',
        displayName: 'Qlik Sense Engine Service',
        state: 'RUNNING',
      },
      {
        name: 'QlikSensePrintingService',
        displayName: 'Qlik Sense Printing Service',
        state: 'STOPPED',
      },
      {
        name: 'QlikSenseProxyService',
        displayName: 'Qlik Sense Proxy Service',
        state: 'START_PENDING',
      },
      {
        name: 'QlikSenseRepositoryService',
        displayName: 'Qlik Sense Repository Service',
        state: 'RUNNING',
      },
      {
        name: 'QlikSenseSchedulerService',
        displayName: 'Qlik Sense Scheduler Service',
        state: 'STOP_PENDING',
      },
      {
        name: 'QlikSenseServiceDispatcher',
        displayName: 'Qlik Sense Service Dispatcher',
        state: 'CONTINUE_PENDING',
      },
      // Butler's test sample spaces DISPLAY_NAME like the indented keys.
      { name: 'Spooler', displayName: 'Print Spooler', state: 'PAUSED' },
    ]);
  });

  it.each([
    ['query-running.txt', 'RUNNING'],
    ['query-stopped.txt', 'STOPPED'],
    ['query-start-pending.txt', 'START_PENDING'],
    ['query-stop-pending.txt', 'STOP_PENDING'],
    ['query-continue-pending.txt', 'CONTINUE_PENDING'],
    ['query-pause-pending.txt', 'PAUSE_PENDING'],
    ['query-paused.txt', 'PAUSED'],
  ])('query "<name>": %s is %s (pending and paused kept, unlike Butler)', (fixture, state) => {
    expect(parseScQuery(sc(fixture))).toBe(state);
  });

  it('qc "<name>": display name, Automatic start, exe path and the continued DEPENDENCIES lines', () => {
    expect(parseScQc(sc('qc-engine.txt'))).toEqual({
      displayName: 'Qlik Sense Engine Service',
      startType: 'Automatic',
      exePath: '"C:\\Program Files\\Qlik\\Sense\\Engine\\Engine.exe" -S ServiceMode=1',
      dependencies: ['QlikSenseServiceDispatcher', 'RPCSS'],
    });
    expect(parseScQc(sc('qc-spooler.txt')).dependencies).toEqual(['RPCSS', 'http']);
  });

  it.each([
    ['qc-boot.txt', 'Boot'],
    ['qc-system.txt', 'System'],
    ['qc-engine.txt', 'Automatic'],
    ['qc-auto-delayed.txt', 'Automatic'],
    ['qc-demand.txt', 'Manual'],
    ['qc-disabled.txt', 'Disabled'],
  ])('qc "<name>": %s starts %s', (fixture, startType) => {
    expect(parseScQc(sc(fixture)).startType).toBe(startType);
  });

  it('qc "<name>": an empty DEPENDENCIES line is no dependency', () => {
    expect(parseScQc(sc('qc-demand.txt')).dependencies).toEqual([]);
    expect(parseScQc(sc('qc-postgres.txt'))).toMatchObject({
      dependencies: [],
      exePath:
        '"C:\\Program Files\\Qlik\\Sense\\Repository\\PostgreSQL\\12.5\\bin\\pg_ctl.exe" runservice -N "postgresql-x64-12"',
    });
  });

  it('an unknown START_TYPE number is named, not a hang as in Butler', () => {
    const odd = sc('qc-demand.txt').replace('3   DEMAND_START', '9   SOMETHING_NEW');
    expect(parseScQc(odd).startType).toBe('Unknown (9)');
  });

  it("reports sc.exe's own complaint instead of a state", () => {
    expect(scFailure(sc('query-not-found.txt'))).toBe(
      '[SC] EnumQueryServicesStatus:OpenService FAILED 1060: The specified service does not exist as an installed service.',
    );
    expect(() => parseScQuery(sc('query-not-found.txt'))).toThrow(/FAILED 1060/);
    expect(() => parseScQc(sc('qc-not-found.txt'))).toThrow(/does not exist/);
    expect(scFailure(sc('query-rpc-unavailable.txt'))).toMatch(
      /1722: The RPC server is unavailable/,
    );
    expect(scFailure(sc('query-running.txt'))).toBeUndefined();
  });
});

describe('the windows-sc probe', () => {
  /** Answers each sc.exe call from the fixtures, recording the arguments. */
  function scripted(answers: Record<string, CommandResult>): {
    run: RunCommand;
    calls: string[][];
  } {
    const calls: string[][] = [];
    const run: RunCommand = (file, args) => {
      calls.push([file, ...args]);
      const answer = answers[args.slice(1).join(' ')];
      return answer
        ? Promise.resolve(answer)
        : Promise.reject(new Error(`unexpected ${args.join(' ')}`));
    };
    return { run, calls };
  }
  const ok = (fixture: string): CommandResult => ({ stdout: sc(fixture), stderr: '', exitCode: 0 });
  const signal = new AbortController().signal;

  it('runs query and qc as Butler does, against \\\\host, and combines them', async () => {
    const { run, calls } = scripted({
      'query QlikSenseEngineService': ok('query-running.txt'),
      'qc QlikSenseEngineService': ok('qc-engine.txt'),
    });
    const reading = await windowsScProbe({ run }).read(
      'qs-node1.corp.example.com',
      'QlikSenseEngineService',
      signal,
    );
    expect(reading).toEqual({
      state: 'RUNNING',
      displayName: 'Qlik Sense Engine Service',
      startType: 'Automatic',
      exePath: '"C:\\Program Files\\Qlik\\Sense\\Engine\\Engine.exe" -S ServiceMode=1',
      dependencies: ['QlikSenseServiceDispatcher', 'RPCSS'],
    });
    expect(calls.sort()).toEqual([
      ['sc.exe', '\\\\qs-node1.corp.example.com', 'qc', 'QlikSenseEngineService'],
      ['sc.exe', '\\\\qs-node1.corp.example.com', 'query', 'QlikSenseEngineService'],
    ]);
  });

  it('lists the services of a host with query state= all', async () => {
    const { run } = scripted({ 'query state= all': ok('query-all.txt') });
    const names = await windowsScProbe({ run }).list?.('qs-node1', signal);
    expect(names).toContain('QlikSenseEngineService');
    expect(names).toHaveLength(9);
  });

  it('rejects with the reason sc.exe gives when it exits non-zero', async () => {
    const { run } = scripted({
      'query Nope': { stdout: sc('query-not-found.txt'), stderr: '', exitCode: 1060 },
      'qc Nope': { stdout: sc('qc-not-found.txt'), stderr: '', exitCode: 1060 },
    });
    await expect(windowsScProbe({ run }).read('qs-node1', 'Nope', signal)).rejects.toThrow(
      'sc.exe exited with 1060: [SC] EnumQueryServicesStatus:OpenService FAILED 1060: The specified service does not exist as an installed service.',
    );
  });

  it("refuses host and service names outside Butler's rules without running anything", async () => {
    const { run, calls } = scripted({});
    const probe = windowsScProbe({ run });
    await expect(probe.read('qs node1', 'Engine', signal)).rejects.toThrow(/cannot address host/);
    await expect(probe.read('qs-node1', 'a"&calc', signal)).rejects.toThrow(/cannot query/);
    await expect(probe.read('qs-node1', '', signal)).rejects.toThrow(/cannot query/);
    expect(calls).toEqual([]);
  });
});
