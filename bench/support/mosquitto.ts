import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onEarlyExit, stopChild, track } from './children.js';
import { freeTcpPort } from './free-port.js';
import { sleep } from './time.js';

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 5_000;

export interface BenchBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * A private Mosquitto that drops nothing: no limit on queued or in-flight messages, queued bytes or
 * memory, so every loss the bench sees happened in front of the broker.
 */
export async function startBenchBroker(): Promise<BenchBroker> {
  const port = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-mosquitto-'));
  const confFile = join(dir, 'mosquitto.conf');
  writeFileSync(confFile, configText(port));
  const forget = onEarlyExit(() => rmSync(dir, { recursive: true, force: true }));

  let output = '';
  const child = track(spawn(MOSQUITTO, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-2_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stop = async (): Promise<void> => {
    await stopChild(child, 3_000);
    rmSync(dir, { recursive: true, force: true });
    forget();
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`mosquitto did not start on port ${port}: ${output.trim()}`);
    }
    await sleep(25);
  }
  return { host: HOST, port, url: `mqtt://${HOST}:${port}`, pid: child.pid ?? 0, stop };
}

function configText(port: number): string {
  return [
    `listener ${port} ${HOST}`,
    // Run as root, Mosquitto would switch to user `mosquitto`, who cannot read this directory.
    'user root',
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    // 0 means no limit for each of these (mosquitto.conf(5), 2.0).
    'max_queued_messages 0',
    'max_queued_bytes 0',
    'max_inflight_messages 0',
    'max_inflight_bytes 0',
    'memory_limit 0',
    '',
  ].join('\n');
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
