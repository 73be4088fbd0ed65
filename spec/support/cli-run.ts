import { PassThrough } from 'node:stream';
import { main } from '../../lib/cli/main.js';
import { temporaryOutboxDirectory } from './relay-process.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs the command line in this process with captured output and the given environment. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  {
    signal,
    onOutput,
  }: { signal?: AbortSignal; onOutput?: (out: string, err: string) => void } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    onOutput?.(out, err);
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    onOutput?.(out, err);
  });
  const code = await main(argv, {
    stdout,
    stderr,
    env: { RELAY_OUTBOX_DIRECTORY: temporaryOutboxDirectory(), ...env },
    ...(signal ? { signal } : {}),
  });
  return { code, out, err };
}
