import { ConfigError, type ConfigProblem } from '../../config/config-error.js';
import type { RelayConfig } from '../../config/types.js';
import type { MonitoredService } from './monitored-service.js';
import { commandProbe } from './probes/command.js';
import { systemdProbe } from './probes/systemd.js';
import { windowsScProbe } from './probes/windows-sc.js';
import { PROBE_KINDS, type ProbeKind, type ServiceProbe } from './service-probe.js';

/** Makes the probe of a kind; tests and embedders may hand in their own. */
export type ProbeFactory = (kind: ProbeKind, command: readonly string[]) => ServiceProbe;

export const defaultProbeFactory: ProbeFactory = (kind, command) => {
  switch (kind) {
    case 'windows-sc':
      return windowsScProbe();
    case 'systemd':
      return systemdProbe();
    case 'command':
      return commandProbe({ command });
  }
};

export interface ServicesFromConfigOptions {
  readonly probes?: ProbeFactory;
  /** Decides what `auto` means; default `process.platform`. */
  readonly platform?: NodeJS.Platform;
}

const MONITOR_KEY = 'Butler.serviceMonitor.monitor';
const HOSTS_KEY = 'Relay.serviceMonitor.hosts';
/** Host and service names become topic levels; these would change the topic's structure. */
const TOPIC_BREAKING = /[/+#]/;

/**
 * The services `Butler.serviceMonitor.monitor` lists, each with the probe its host is read
 * with: `Relay.serviceMonitor.hosts[].probe` for a host listed there, else
 * `Relay.serviceMonitor.probe`. Throws one ConfigError naming every key that is wrong.
 */
export function servicesFromConfig(
  config: RelayConfig,
  options: ServicesFromConfigOptions = {},
): MonitoredService[] {
  const makeProbe = options.probes ?? defaultProbeFactory;
  const relay = config.Relay.serviceMonitor;
  const monitor = config.Butler.serviceMonitor.monitor ?? [];
  const problems: ConfigProblem[] = [];

  monitor.forEach((entry, hostIndex) => {
    if (TOPIC_BREAKING.test(entry.host)) {
      problems.push({
        key: `${MONITOR_KEY}[${hostIndex}].host`,
        value: entry.host,
        expected: 'a host name without /, + or # (it becomes a topic level)',
      });
    }
    (entry.services ?? []).forEach((service, serviceIndex) => {
      if (TOPIC_BREAKING.test(service.name)) {
        problems.push({
          key: `${MONITOR_KEY}[${hostIndex}].services[${serviceIndex}].name`,
          value: service.name,
          expected: 'a service name without /, + or # (it becomes a topic level)',
        });
      }
    });
  });

  const fallback: ProbeKind =
    relay.probe === 'auto'
      ? (options.platform ?? process.platform) === 'win32'
        ? 'windows-sc'
        : 'systemd'
      : relay.probe;
  const choices = new Map<string, { kind: ProbeKind; command: readonly string[]; key: string }>();
  const monitoredHosts = new Set(monitor.map((entry) => entry.host.toLowerCase()));
  relay.hosts.forEach((entry, index) => {
    const key = `${HOSTS_KEY}[${index}]`;
    const { host, probe, command, ...rest } = entry;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      problems.push({
        key,
        value: entry,
        expected: `only host, probe and command (not ${unknown.join(', ')})`,
      });
      return;
    }
    if (typeof host !== 'string' || !monitoredHosts.has(host.toLowerCase())) {
      problems.push({
        key: `${key}.host`,
        value: host,
        expected: `a host listed in ${MONITOR_KEY}`,
      });
      return;
    }
    if (!PROBE_KINDS.includes(probe as ProbeKind)) {
      problems.push({
        key: `${key}.probe`,
        value: probe,
        expected: `one of ${PROBE_KINDS.map((kind) => JSON.stringify(kind)).join(', ')}`,
      });
      return;
    }
    if (command !== undefined && !isNonEmptyStringList(command)) {
      problems.push({
        key: `${key}.command`,
        value: command,
        expected: 'a list of strings, the program first',
      });
      return;
    }
    choices.set(host.toLowerCase(), {
      kind: probe as ProbeKind,
      command: command ?? relay.command,
      key: command === undefined ? 'Relay.serviceMonitor.command' : `${key}.command`,
    });
  });

  // One probe per kind and command: probes hold no per-host state.
  const probes = new Map<string, ServiceProbe>();
  const probeFor = (host: string): ServiceProbe | undefined => {
    const choice = choices.get(host.toLowerCase()) ?? {
      kind: fallback,
      command: relay.command,
      key: 'Relay.serviceMonitor.command',
    };
    if (choice.kind === 'command' && !isNonEmptyStringList(choice.command)) {
      problems.push({
        key: choice.key,
        value: choice.command,
        expected: `the program and arguments of the command probe, which reads ${host}`,
      });
      return undefined;
    }
    const id = JSON.stringify([choice.kind, choice.kind === 'command' ? choice.command : []]);
    let probe = probes.get(id);
    if (!probe) {
      probe = makeProbe(choice.kind, choice.command);
      probes.set(id, probe);
    }
    return probe;
  };

  const services = monitor.flatMap((entry) => {
    if (!entry.services?.length) return [];
    const probe = probeFor(entry.host);
    if (!probe) return [];
    return (entry.services ?? []).map((service): MonitoredService => ({
      host: entry.host,
      name: service.name,
      friendlyName: service.friendlyName,
      probe,
    }));
  });
  if (problems.length > 0) throw new ConfigError(dedupe(problems));
  return services;
}

function isNonEmptyStringList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => typeof item === 'string') &&
    value[0] !== ''
  );
}

/** A command missing for several hosts is one problem. */
function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    if (seen.has(problem.key)) return false;
    seen.add(problem.key);
    return true;
  });
}
