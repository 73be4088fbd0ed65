import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './cli-run.js';

const BIN = fileURLToPath(new URL('../../bin/sense-mqtt-relay.js', import.meta.url));

/** What the real command line did: `code` is null when it ended on a signal or was killed. */
export interface CliProcessResult extends Omit<CliResult, 'code'> {
  code: number | null;
  /** It ran past `timeoutMs` and was killed. */
  timedOut: boolean;
}

/**
 * Runs `bin/sense-mqtt-relay.js` (the built code) as its own process with `args` and an empty
 * environment, as an operator's shell would; kills it after `timeoutMs`.
 */
export function runCliProcess(
  args: readonly string[],
  timeoutMs = 15_000,
): Promise<CliProcessResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, timedOut });
    });
  });
}
