import { runCommand, type RunCommand } from '../run-command.js';
import type { ServiceProbe } from '../service-probe.js';
import { parseCommandOutput } from './command-output.js';

export interface CommandProbeOptions {
  /** Program and arguments; `{host}` and `{service}` in any of them are replaced. */
  readonly command: readonly string[];
  readonly run?: RunCommand;
}

/**
 * Any command that prints a state (see parseCommandOutput), e.g.
 * `[ssh, '{host}', systemctl, is-active, '{service}']`: for hosts the relay cannot query itself.
 * Run without a shell, so names are passed as plain arguments. The exit code does not matter
 * when the output names a state (`systemctl is-active` exits 3 for inactive).
 */
export function commandProbe(options: CommandProbeOptions): ServiceProbe {
  const [program, ...template] = options.command;
  if (program === undefined || program === '') throw new Error('the command probe needs a command');
  const run = options.run ?? runCommand;
  return {
    kind: 'command',
    async read(host, service, signal) {
      const fill = (arg: string): string =>
        arg.replaceAll('{host}', host).replaceAll('{service}', service);
      const result = await run(fill(program), template.map(fill), signal);
      const reading = parseCommandOutput(result.stdout);
      if (reading !== undefined) return reading;
      const said = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/)[0]?.slice(0, 200);
      throw new Error(
        result.exitCode === 0
          ? `${program} printed no service state${said ? `: ${said}` : ''}`
          : `${program} exited with ${result.exitCode}${said ? `: ${said}` : ''}`,
      );
    },
  };
}
