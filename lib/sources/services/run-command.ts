import { execFile } from 'node:child_process';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Runs a program and resolves with what it printed and its exit code. */
export type RunCommand = (
  file: string,
  args: readonly string[],
  signal: AbortSignal,
) => Promise<CommandResult>;

const MAX_OUTPUT_BYTES = 4 * 1024 * 1024; // `sc query state= all` on a busy server stays far below

/**
 * Runs `file` without a shell (arguments are never interpreted), so no host or service name can
 * inject a command. A non-zero exit is a result, not an error: sc.exe and systemctl say useful
 * things that way. Rejects when the program cannot be started, is killed, or `signal` aborts
 * (which kills it).
 */
export const runCommand: RunCommand = (file, args, signal) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { signal, windowsHide: true, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ stdout, stderr, exitCode: 0 });
        if (typeof error.code === 'number' && !error.killed) {
          return resolve({ stdout, stderr, exitCode: error.code });
        }
        if (signal.aborted) return reject(new Error(`${file} was cancelled`, { cause: error }));
        const why =
          error.code === 'ENOENT'
            ? 'not found on PATH'
            : error.signal
              ? `killed by ${error.signal}`
              : error.message;
        reject(new Error(`could not run ${file}: ${why}`, { cause: error }));
      },
    );
  });
