import { hostname } from 'node:os';
import { runCommand, type RunCommand } from '../run-command.js';
import type { ServiceProbe } from '../service-probe.js';
import { parseSystemctlShow, SHOWN_PROPERTIES } from './systemctl-show-output.js';

export interface SystemdProbeOptions {
  /** The systemctl to run; default `systemctl` from PATH. */
  readonly executable?: string;
  readonly run?: RunCommand;
  /** This machine's host name; default `os.hostname()`. */
  readonly localHostName?: string;
}

/**
 * Units of the machine the relay runs on, read with `systemctl show`. Other hosts are refused
 * (an error, so they show as UNKNOWN): a Butler config names Windows servers, and a local unit of
 * the same name would be a wrong answer. Watch those with the command probe.
 */
export function systemdProbe(options: SystemdProbeOptions = {}): ServiceProbe {
  const executable = options.executable ?? 'systemctl';
  const run = options.run ?? runCommand;
  const local = localNames(options.localHostName ?? hostname());
  return {
    kind: 'systemd',
    async read(host, service, signal) {
      if (!local.has(host.toLowerCase())) {
        throw new Error(
          `the systemd probe reads units of this machine only, not of ${host}; use the command probe`,
        );
      }
      const result = await run(
        executable,
        ['show', '--no-pager', `--property=${SHOWN_PROPERTIES.join(',')}`, '--', service],
        signal,
      );
      if (result.exitCode !== 0) {
        const why = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/)[0];
        throw new Error(`systemctl exited with ${result.exitCode}${why ? `: ${why}` : ''}`);
      }
      return parseSystemctlShow(result.stdout, service);
    },
  };
}

function localNames(name: string): Set<string> {
  const full = name.toLowerCase();
  return new Set(['localhost', '127.0.0.1', '::1', full, full.split('.')[0] ?? full]);
}
