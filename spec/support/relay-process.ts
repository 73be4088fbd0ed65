import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { waitUntil } from './wait-until.js';

/** A fresh, empty outbox folder. */
export function temporaryOutboxDirectory(): string {
  return join(mkdtempSync(join(tmpdir(), 'relay-outbox-')), 'outbox');
}

const BIN = fileURLToPath(new URL('../../bin/sense-mqtt-relay.js', import.meta.url));

/** A log record the relay wrote, as JSON. */
export interface RelayLogRecord {
  level: number;
  msg: string;
  event?: string;
  [field: string]: unknown;
}

/**
 * The real relay as a separate process (`bin/sense-mqtt-relay.js`, the built code), with its JSON
 * log collected. It is what an operator runs, so these tests see what an operator would see.
 */
export class RelayProcess {
  readonly logs: RelayLogRecord[] = [];
  stderr = '';
  exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly configFile: string,
  ) {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as RelayLogRecord);
        } catch {
          this.logs.push({ level: 30, msg: line });
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  /** Writes `config` to a temp file and starts the relay on it. */
  static start(config: object | string, env: NodeJS.ProcessEnv = {}): RelayProcess {
    const folder = mkdtempSync(join(tmpdir(), 'relay-process-'));
    const configFile = join(folder, 'config.yaml');
    writeFileSync(configFile, typeof config === 'string' ? config : stringify(config));
    return RelayProcess.run(['--config', configFile], env, configFile);
  }

  /**
   * Starts the relay with these arguments (e.g. none, for the embedded default). Each process gets
   * an outbox folder of its own unless `env` names one (RELAY_OUTBOX_DIRECTORY), as a restart
   * test does to find what the last run left.
   */
  static run(args: string[], env: NodeJS.ProcessEnv = {}, configFile = ''): RelayProcess {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        RELAY_OUTBOX_DIRECTORY: temporaryOutboxDirectory(),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new RelayProcess(child, configFile);
  }

  /** Resolves once a log record with this `event` (and matching `test`) was written. */
  async waitForLog(
    event: string,
    test: (record: RelayLogRecord) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<RelayLogRecord> {
    await waitUntil(
      () => this.exitCode !== undefined || this.logs.some((r) => r.event === event && test(r)),
      `log event ${event}`,
      timeoutMs,
    );
    const found = this.logs.find((r) => r.event === event && test(r));
    if (!found) {
      throw new Error(
        `the relay exited (${this.exitCode}) before logging ${event}: ${this.stderr}`,
      );
    }
    return found;
  }

  /** Log records of one event. */
  records(event: string): RelayLogRecord[] {
    return this.logs.filter((r) => r.event === event);
  }

  /** Sends SIGTERM (default) or SIGINT and resolves with the exit code. */
  async stop(signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM'): Promise<number | null> {
    if (this.exitCode === undefined) this.child.kill(signal);
    return this.exited;
  }

  /** SIGKILL: no shutdown at all, as in a crash. */
  async kill(): Promise<void> {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
    await this.exited;
  }

  wait(): Promise<number | null> {
    return this.exited;
  }
}
