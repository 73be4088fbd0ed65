import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '../support/wait-until.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/**
 * A folder of stand-ins for sc.exe and systemctl that print the real output formats
 * (spec/fixtures/sc, spec/fixtures/systemctl) for services whose state the test controls:
 * a service is a file in `state/` holding the pid of a real process (running while that process
 * lives), or `hang` (the command blocks until killed, writing its pid to `state/<name>.hung`).
 * A service without a file does not exist.
 */
export class FakeServiceCommands {
  readonly folder = mkdtempSync(join(tmpdir(), 'relay-probe-'));
  readonly stateFolder = join(this.folder, 'state');
  private readonly processes = new Map<string, ChildProcess>();

  constructor() {
    mkdirSync(this.stateFolder);
    writeScript(join(this.folder, 'sc.exe'), scScript(this.stateFolder));
    writeScript(join(this.folder, 'systemctl'), systemctlScript(this.stateFolder));
  }

  get sc(): string {
    return join(this.folder, 'sc.exe');
  }

  get systemctl(): string {
    return join(this.folder, 'systemctl');
  }

  /** PATH with the fakes first, for a relay process. */
  get path(): string {
    return `${this.folder}:${process.env.PATH ?? ''}`;
  }

  /** Starts a real process standing for `service` and marks the service as running. */
  async start(service: string): Promise<number> {
    await this.stop(service);
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.processes.set(service, child);
    writeFileSync(join(this.stateFolder, service), String(child.pid));
    return child.pid as number;
  }

  /** Kills the service's process and waits until it is reaped, so it no longer counts as alive. */
  async stop(service: string): Promise<void> {
    const child = this.processes.get(service);
    if (!child) return;
    this.processes.delete(service);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Makes every later read of `service` block until the probe kills it. */
  hang(service: string): void {
    writeFileSync(join(this.stateFolder, service), 'hang');
  }

  /** The pid of the command that blocked on `service`, once it has started. */
  async hungPid(service: string): Promise<number> {
    const file = join(this.stateFolder, `${service}.hung`);
    let pid = 0;
    await waitUntil(() => {
      try {
        pid = Number(readFileSync(file, 'utf8').trim());
      } catch {
        return false;
      }
      return pid > 0;
    }, `the fake command for ${service} to start`);
    return pid;
  }

  async close(): Promise<void> {
    for (const service of [...this.processes.keys()]) await this.stop(service);
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function writeScript(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

/** sc.exe \\host query|qc <name>, and sc.exe \\host query state= all. */
function scScript(state: string): string {
  const sc = join(FIXTURES, 'sc');
  return `#!/bin/sh
# Fake sc.exe: prints the fixtures of spec/fixtures/sc for services whose state lives in ${state}.
host="$1"; verb="$2"; name="$3"
if [ "$host" = '\\\\unreachable' ]; then cat '${sc}/query-rpc-unavailable.txt'; exit 1722; fi
if [ "$verb" = query ] && [ "$name" = 'state=' ]; then cat '${sc}/query-all.txt'; exit 0; fi
file='${state}'/"$name"
if [ ! -f "$file" ]; then cat '${sc}/'"$verb"'-not-found.txt'; exit 1060; fi
pid=$(cat "$file")
if [ "$pid" = hang ]; then echo $$ > "$file.hung"; exec sleep 1000; fi
if [ "$verb" = qc ]; then cat '${sc}/qc-engine.txt'; exit 0; fi
if kill -0 "$pid" 2>/dev/null; then cat '${sc}/query-running.txt'; else cat '${sc}/query-stopped.txt'; fi
`;
}

/** systemctl show --no-pager --property=… -- <unit> */
function systemctlScript(state: string): string {
  const fixtures = join(FIXTURES, 'systemctl');
  return `#!/bin/sh
# Fake systemctl: prints the fixtures of spec/fixtures/systemctl for units whose state lives in ${state}.
for arg in "$@"; do unit="$arg"; done
file='${state}'/"$unit"
if [ ! -f "$file" ]; then cat '${fixtures}/show-not-found.txt'; exit 0; fi
pid=$(cat "$file")
if [ "$pid" = hang ]; then echo $$ > "$file.hung"; exec sleep 1000; fi
if kill -0 "$pid" 2>/dev/null; then cat '${fixtures}/show-active.txt'; else cat '${fixtures}/show-inactive.txt'; fi
`;
}
