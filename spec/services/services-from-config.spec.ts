import { loadConfig, type RelayConfig } from '../../lib/config/index.js';
import { ConfigError } from '../../lib/config/config-error.js';
import type { ProbeKind, ServiceProbe } from '../../lib/sources/services/service-probe.js';
import { servicesFromConfig } from '../../lib/sources/services/services-from-config.js';

const MONITOR = [
  { host: 'qs-node1', services: [{ name: 'QlikSenseEngineService', friendlyName: 'Engine' }] },
  {
    host: 'qs-node2',
    services: [
      { name: 'QlikSenseProxyService', friendlyName: 'Proxy' },
      { name: 'QlikSenseSchedulerService', friendlyName: 'Scheduler' },
    ],
  },
  { host: 'localhost', services: null },
];

function config(overrides: Record<string, unknown> = {}): RelayConfig {
  return loadConfig({
    env: {},
    overrides: { 'Butler.serviceMonitor.monitor': MONITOR, ...overrides },
  }).config;
}

/** Records which probes were made, for which command. */
function recordingFactory() {
  const made: [ProbeKind, readonly string[]][] = [];
  const probes = (kind: ProbeKind, command: readonly string[]): ServiceProbe => {
    made.push([kind, command]);
    return { kind, read: () => Promise.reject(new Error('not in this test')) };
  };
  return { made, probes };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.key}: ${p.expected}`);
    throw error;
  }
  return [];
}

describe('which probe reads which host', () => {
  it('auto is windows-sc on Windows and systemd elsewhere, one probe shared by all hosts', () => {
    for (const [platform, kind] of [
      ['win32', 'windows-sc'],
      ['linux', 'systemd'],
    ] as const) {
      const { made, probes } = recordingFactory();
      const services = servicesFromConfig(config(), { probes, platform });
      expect(services.map((s) => [s.host, s.name, s.friendlyName, s.probe.kind])).toEqual([
        ['qs-node1', 'QlikSenseEngineService', 'Engine', kind],
        ['qs-node2', 'QlikSenseProxyService', 'Proxy', kind],
        ['qs-node2', 'QlikSenseSchedulerService', 'Scheduler', kind],
      ]);
      expect(made).toHaveLength(1);
    }
  });

  it('Relay.serviceMonitor.hosts picks a probe per host, with its own command or the common one', () => {
    const { made, probes } = recordingFactory();
    const services = servicesFromConfig(
      config({
        'Relay.serviceMonitor.probe': 'windows-sc',
        'Relay.serviceMonitor.command': ['ssh', '{host}', 'sc', 'query', '{service}'],
        'Relay.serviceMonitor.hosts': [
          { host: 'QS-NODE2', probe: 'command' },
          { host: 'localhost', probe: 'systemd' },
        ],
      }),
      { probes },
    );
    expect(services.map((s) => [s.host, s.probe.kind])).toEqual([
      ['qs-node1', 'windows-sc'],
      ['qs-node2', 'command'],
      ['qs-node2', 'command'],
    ]);
    expect(made).toEqual([
      ['windows-sc', ['ssh', '{host}', 'sc', 'query', '{service}']],
      ['command', ['ssh', '{host}', 'sc', 'query', '{service}']],
    ]);
  });

  it('a monitor list that is null or empty watches nothing', () => {
    const { probes } = recordingFactory();
    expect(
      servicesFromConfig(config({ 'Butler.serviceMonitor.monitor': null }), { probes }),
    ).toEqual([]);
    expect(servicesFromConfig(config({ 'Butler.serviceMonitor.monitor': [] }), { probes })).toEqual(
      [],
    );
  });

  it('names every key that is wrong, in one error', () => {
    const { probes } = recordingFactory();
    expect(
      problemsOf(() =>
        servicesFromConfig(
          config({
            'Butler.serviceMonitor.monitor': [
              { host: 'qs/node1', services: [{ name: 'Engine#1', friendlyName: 'E' }] },
              { host: 'qs-node2', services: [{ name: 'Proxy', friendlyName: 'P' }] },
              { host: 'qs-node3', services: [{ name: 'Proxy', friendlyName: 'P' }] },
            ],
            'Relay.serviceMonitor.hosts': [
              { host: 'qs-node2', probe: 'command' },
              { host: 'qs-node3', probe: 'ssh' },
              { host: 'qs-node9', probe: 'systemd' },
              { host: 'qs-node3', probe: 'command', command: 'ssh qs-node3' },
              { host: 'qs-node3', probe: 'command', user: 'x' },
            ],
          }),
          { probes },
        ),
      ),
    ).toEqual([
      'Butler.serviceMonitor.monitor[0].host: a host name without /, + or # (it becomes a topic level)',
      'Butler.serviceMonitor.monitor[0].services[0].name: a service name without /, + or # (it becomes a topic level)',
      'Relay.serviceMonitor.hosts[1].probe: one of "windows-sc", "systemd", "command"',
      'Relay.serviceMonitor.hosts[2].host: a host listed in Butler.serviceMonitor.monitor',
      'Relay.serviceMonitor.hosts[3].command: a list of strings, the program first',
      'Relay.serviceMonitor.hosts[4]: only host, probe and command (not user)',
      'Relay.serviceMonitor.command: the program and arguments of the command probe, which reads qs-node2',
    ]);
  });

  it('Relay.serviceMonitor.probe: only the known probes pass the config check', () => {
    expect(() => config({ 'Relay.serviceMonitor.probe': 'wmi' })).toThrow(
      'Relay.serviceMonitor.probe: got "wmi", expected one of "auto", "windows-sc", "systemd", "command"',
    );
  });
});
