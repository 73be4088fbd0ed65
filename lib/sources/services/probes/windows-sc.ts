import { runCommand, type CommandResult, type RunCommand } from '../run-command.js';
import type { ServiceProbe } from '../service-probe.js';
import type { ServiceReading } from '../service-reading.js';
import { parseScQc, parseScQuery, parseScQueryAll, scFailure } from './sc-output.js';

export interface WindowsScProbeOptions {
  /** The sc.exe to run; default `sc.exe` from PATH. */
  readonly executable?: string;
  readonly run?: RunCommand;
}

/** Butler's rules for what may reach sc.exe (facts 6.2), kept although no shell is involved. */
const HOST = /^[a-zA-Z0-9._-]+$/;
const UNSAFE_SERVICE_NAME = /["&|;`$()<>\r\n]/;

/**
 * Windows services as Butler reads them: `sc.exe \\<host> query "<name>"` for the state and
 * `sc.exe \\<host> qc "<name>"` for the details, with the pending and paused states kept.
 */
export function windowsScProbe(options: WindowsScProbeOptions = {}): ServiceProbe {
  const executable = options.executable ?? 'sc.exe';
  const run = options.run ?? runCommand;
  const sc = async (host: string, args: string[], signal: AbortSignal): Promise<CommandResult> => {
    if (!HOST.test(host)) throw new Error(`sc.exe cannot address host ${JSON.stringify(host)}`);
    return run(executable, [`\\\\${host}`, ...args], signal);
  };

  return {
    kind: 'windows-sc',
    async read(host, service, signal): Promise<ServiceReading> {
      if (service.length === 0 || service.length > 256 || UNSAFE_SERVICE_NAME.test(service)) {
        throw new Error(`sc.exe cannot query service name ${JSON.stringify(service)}`);
      }
      const [query, config] = await Promise.all([
        sc(host, ['query', service], signal),
        sc(host, ['qc', service], signal),
      ]);
      return { state: parseScQuery(explained(query)), ...parseScQc(explained(config)) };
    },
    async list(host, signal) {
      const all = explained(await sc(host, ['query', 'state=', 'all'], signal));
      return parseScQueryAll(all).map((entry) => entry.name);
    },
  };
}

/** The output, or sc.exe's failure as an error when it exited non-zero. */
function explained(result: CommandResult): string {
  if (result.exitCode === 0) return result.stdout;
  const why = scFailure(result.stdout) ?? (result.stderr.trim() || result.stdout.trim());
  throw new Error(`sc.exe exited with ${result.exitCode}${why ? `: ${why}` : ''}`);
}
