import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from '../log/logger.js';

export type Command = 'run' | 'check-config' | 'print-config' | 'help' | 'version';
const COMMANDS: readonly Command[] = ['run', 'check-config', 'print-config'];

export interface CommandLine {
  command: Command;
  configFile?: string;
  logLevel?: LogLevel;
}

/** A command line we cannot act on; the process exits 2 with this message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Reads argv (without node and script). Unknown flags, commands and levels are usage errors. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        'log-level': { type: 'string', short: 'l' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  if (positionals.length > 1) {
    throw new UsageError(`expected at most one command, got: ${positionals.join(' ')}`);
  }
  const command = (positionals[0] ?? 'run') as Command;
  if (!COMMANDS.includes(command)) {
    throw new UsageError(`unknown command "${command}"; expected one of ${COMMANDS.join(', ')}`);
  }
  const level = values['log-level'];
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
    throw new UsageError(`unknown log level "${level}"; expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    command,
    ...(values.config === undefined ? {} : { configFile: values.config }),
    ...(level === undefined ? {} : { logLevel: level as LogLevel }),
  };
}
