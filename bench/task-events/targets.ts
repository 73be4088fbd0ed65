import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { onEarlyExit, stopChild, track } from '../support/children.js';
import { freeTcpPort, freeUdpPort } from '../support/free-port.js';
import { watchLogEvents } from '../support/log-events.js';
import { withTimeout } from '../support/time.js';
import type { OutboxVariant, TargetSpec } from '../settings.js';
import type { TaskTopics } from './delivery-tracker.js';
import { benchRelayConfig } from './relay-config.js';

/** `naive`, `relay, outbox: memory`, `relay, outbox: disk, fsync always`, ... */
export function targetLabel(spec: TargetSpec): string {
  return spec.kind === 'naive' ? 'naive' : `relay, outbox: ${outboxLabel(spec.outbox)}`;
}

export function outboxLabel(variant: OutboxVariant): string {
  if (variant.store === 'memory') return 'memory';
  return variant.fsync === 'always'
    ? 'disk, fsync always'
    : `disk, fsync interval (${variant.fsyncIntervalMs} ms)`;
}

export interface TargetSetup {
  readonly brokerUrl: string;
  readonly brokerPort: number;
  readonly repositoryPort: number;
  readonly topics: TaskTopics;
  /** Topic prefix for everything else the relay publishes. */
  readonly topicRoot: string;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  /** Write a V8 CPU profile of the relay here (`node --cpu-prof`). */
  readonly cpuProfileDir?: string;
}

/** A relay (or the naive baseline) running as its own process, listening and connected. */
export interface RunningTarget {
  readonly spec: TargetSpec;
  readonly pid: number;
  readonly udpPort: number;
  /** From spawning the process to its `udp.listening` log line. */
  readonly startupMs: number;
  /** Prometheus endpoint, for the relay. */
  readonly metricsUrl?: string;
  stop(): Promise<void>;
}

const RELAY_BIN = fileURLToPath(new URL('../../../bin/sense-mqtt-relay.js', import.meta.url));
const NAIVE_BIN = fileURLToPath(new URL('../naive-relay.js', import.meta.url));
const READY_EVENTS = ['udp.listening', 'mqtt.connected'] as const;

export async function startTarget(spec: TargetSpec, setup: TargetSetup): Promise<RunningTarget> {
  const name = targetLabel(spec);
  const udpPort = await freeUdpPort();
  const httpPort = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), `bench-${spec.kind}-`));
  const forget = onEarlyExit(() => rmSync(dir, { recursive: true, force: true }));
  const args =
    spec.kind === 'relay'
      ? relayArgs(setup, spec.outbox, udpPort, httpPort, dir)
      : naiveArgs(setup, udpPort);

  const spawnedAt = performance.now();
  const child = track(
    spawn(process.execPath, args, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const seenAt = new Map<string, number>();
  const ready = new Promise<void>((resolve, reject) => {
    watchLogEvents(child.stdout, READY_EVENTS, (event) => {
      seenAt.set(event, performance.now());
      if (seenAt.size === READY_EVENTS.length) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`${name} exited (${code}) before it was ready: ${stderr.trim()}`)),
    );
  });
  const stop = async (): Promise<void> => {
    await stopChild(child, setup.stopTimeoutMs);
    rmSync(dir, { recursive: true, force: true });
    forget();
  };

  try {
    const outcome = await withTimeout(ready, setup.startTimeoutMs);
    if ('timedOut' in outcome) {
      const missing = READY_EVENTS.filter((event) => !seenAt.has(event)).join(', ');
      throw new Error(
        `${name} not ready after ${setup.startTimeoutMs} ms (no ${missing}): ${stderr.trim()}`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    spec,
    pid: child.pid ?? 0,
    udpPort,
    startupMs: (seenAt.get('udp.listening') ?? performance.now()) - spawnedAt,
    ...(spec.kind === 'relay' ? { metricsUrl: `http://127.0.0.1:${httpPort}/metrics` } : {}),
    stop,
  };
}

/** The relay's command line, with its config written to `dir`. */
function relayArgs(
  setup: TargetSetup,
  outbox: OutboxVariant,
  udpPort: number,
  httpPort: number,
  dir: string,
): string[] {
  const configFile = join(dir, 'config.yaml');
  const { brokerPort, repositoryPort } = setup;
  const ports = { brokerPort, udpPort, httpPort, repositoryPort };
  const config = benchRelayConfig(ports, setup.topics, setup.topicRoot, outbox);
  writeFileSync(configFile, stringify(config));
  const profile = setup.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${setup.cpuProfileDir}`]
    : [];
  return [...profile, RELAY_BIN, '--config', configFile];
}

function naiveArgs(setup: TargetSetup, udpPort: number): string[] {
  return [
    NAIVE_BIN,
    `--udp-port=${udpPort}`,
    `--mqtt-url=${setup.brokerUrl}`,
    `--basic-topic=${setup.topics.basic}`,
    `--full-topic=${setup.topics.full}`,
  ];
}
