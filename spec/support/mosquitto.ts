import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import type { TestCertificates } from './tls.js';

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = process.env.MOSQUITTO_PASSWD_BIN ?? 'mosquitto_passwd';
const HOST = '127.0.0.1';

export interface MosquittoOptions {
  /** A TLS listener with the server certificate; clients must present one if required. */
  tls?: { certificates: TestCertificates; requireClientCertificate?: boolean };
  /** Only these users may connect (a password file); anonymous clients are refused. */
  users?: Readonly<Record<string, string>>;
  /** Access-control lines (mosquitto `acl_file` syntax), e.g. `topic readwrite allowed/#`. */
  acl?: readonly string[];
  /** Keep sessions, queued messages and retained messages across `stop()` and `start()`. */
  persistence?: boolean;
  /** Default: a free port. */
  port?: number;
}

/** A private Mosquitto. Call `stop()` when done; `start()` brings it back on the same port. */
export interface Mosquitto {
  readonly host: string;
  readonly port: number;
  /** `mqtt://` or `mqtts://` host:port. */
  readonly url: string;
  start(): Promise<void>;
  /** SIGTERM: clients see the connection close, persistent state is saved. */
  stop(): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
}

const running = new Map<ChildProcess, string>();
// A test that forgets `stop()` must not leave a broker running.
process.once('exit', () => {
  for (const [child, dir] of running) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

const DB_FILE = 'mosquitto.db';

/**
 * Starts Mosquitto and waits until it listens. Its files (config, passwords, ACL, database) live in
 * a temporary directory only while it runs; the database is kept in memory across a restart.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const port = options.port ?? (await freePort(HOST));
  let child: ChildProcess | undefined;
  let savedDatabase: Buffer | undefined;

  const start = async (): Promise<void> => {
    if (child) return;
    const dir = mkdtempSync(join(tmpdir(), 'relay-mosquitto-'));
    const confFile = join(dir, 'mosquitto.conf');
    writeFileSync(confFile, configText(dir, port, options));
    if (savedDatabase) writeFileSync(join(dir, DB_FILE), savedDatabase);
    let output = '';
    const started = spawn(MOSQUITTO, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4_000);
    };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    running.set(started, dir);
    started.once('exit', () => {
      running.delete(started);
      if (child === started) child = undefined;
      // Mosquitto writes its database when stopped; after SIGKILL the last saved one stays.
      const database = join(dir, DB_FILE);
      if (options.persistence && existsSync(database)) savedDatabase = readFileSync(database);
      rmSync(dir, { recursive: true, force: true });
    });
    child = started;
    try {
      await waitForListener(port, started);
    } catch (error) {
      await signal('SIGKILL');
      throw new Error(`mosquitto did not start: ${(error as Error).message}\n${output}`);
    }
  };

  const signal = async (name: NodeJS.Signals): Promise<void> => {
    const current = child;
    if (!current) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill(name);
    await exited;
  };

  await start();
  return {
    host: HOST,
    port,
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${HOST}:${port}`,
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}

function configText(dir: string, port: number, options: MosquittoOptions): string {
  const lines = [
    `listener ${port} ${HOST}`,
    // Mosquitto drops root rights to user `mosquitto`, which could not read this directory.
    'user root',
    'log_dest stderr',
    'log_type error',
    'max_queued_messages 1000000',
    'max_queued_bytes 0',
  ];
  if (options.tls) {
    const { certificates, requireClientCertificate = false } = options.tls;
    lines.push(
      `cafile ${certificates.caFile}`,
      `certfile ${certificates.serverCertFile}`,
      `keyfile ${certificates.serverKeyFile}`,
      `require_certificate ${requireClientCertificate}`,
    );
  }
  if (options.users) {
    const passwordFile = join(dir, 'passwords');
    writeFileSync(passwordFile, '');
    for (const [user, password] of Object.entries(options.users)) {
      execFileSync(MOSQUITTO_PASSWD, ['-b', passwordFile, user, password]);
    }
    lines.push(`password_file ${passwordFile}`, 'allow_anonymous false');
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.acl) {
    const aclFile = join(dir, 'acl');
    writeFileSync(aclFile, options.acl.join('\n') + '\n');
    lines.push(`acl_file ${aclFile}`);
  }
  if (options.persistence) {
    lines.push('persistence true', `persistence_location ${dir}/`);
  }
  return lines.join('\n') + '\n';
}

async function waitForListener(
  port: number,
  child: ChildProcess,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`it exited (${child.exitCode ?? child.signalCode})`);
    }
    if (Date.now() > deadline) throw new Error(`port ${port} not open after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
