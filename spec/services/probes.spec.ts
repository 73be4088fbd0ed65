import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { commandProbe } from '../../lib/sources/services/probes/command.js';
import { systemdProbe } from '../../lib/sources/services/probes/systemd.js';
import { windowsScProbe } from '../../lib/sources/services/probes/windows-sc.js';
import { FakeServiceCommands } from './fake-commands.js';
import { probeContract, type ProbeWorld } from './probe-contract.js';

/** A world over the fake sc.exe / systemctl, or a user command reading the same state folder. */
function fakeWorld(
  probe: (fakes: FakeServiceCommands) => ProbeWorld['probe'],
  host: string,
): () => Promise<ProbeWorld> {
  return () => {
    const fakes = new FakeServiceCommands();
    return Promise.resolve({
      probe: probe(fakes),
      host,
      service: 'QlikSenseEngineService',
      missing: 'NoSuchService',
      start: async (service) => {
        await fakes.start(service);
      },
      stop: (service) => fakes.stop(service),
      hang: (service) => {
        fakes.hang(service);
        return { pid: () => fakes.hungPid(service) };
      },
      close: () => fakes.close(),
    });
  };
}

probeContract(
  'windows-sc',
  fakeWorld((fakes) => windowsScProbe({ executable: fakes.sc }), 'qs-node1.corp.example.com'),
);

// Where systemd is PID 1 and may start transient units, the probe reads a real unit the test
// starts and stops; elsewhere (a container) systemctl is the fake, which prints real
// `systemctl show` output for a real process the test starts and kills.
probeContract(
  'systemd',
  realSystemdAvailable()
    ? realSystemdWorld
    : fakeWorld((fakes) => systemdProbe({ executable: fakes.systemctl }), 'localhost'),
);

/** A shell one-liner as an admin would write it: the state of a pid file's process. */
const PID_FILE_STATE = [
  'sh',
  '-c',
  'f="$0"; [ -f "$f" ] || { echo "no such service: $f" >&2; exit 4; }; ' +
    'p=$(cat "$f"); if [ "$p" = hang ]; then echo $$ > "$f.hung"; exec sleep 1000; fi; ' +
    'if kill -0 "$p" 2>/dev/null; then echo RUNNING; else echo STOPPED; exit 3; fi',
];
probeContract(
  'command',
  fakeWorld(
    (fakes) => commandProbe({ command: [...PID_FILE_STATE, `${fakes.stateFolder}/{service}`] }),
    'qs-node2.corp.example.com',
  ),
);

function realSystemdAvailable(): boolean {
  try {
    if (readFileSync('/proc/1/comm', 'utf8').trim() !== 'systemd') return false;
    execFileSync('systemd-run', ['--quiet', '--collect', '--wait', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Transient units of the real systemd: `systemd-run --unit=…` to start, `systemctl stop` to stop. */
function realSystemdWorld(): Promise<ProbeWorld> {
  const prefix = `relay-probe-${process.pid}-${Date.now().toString(36)}`;
  const started = new Set<string>();
  const systemctl = (...args: string[]) => execFileSync('systemctl', args, { stdio: 'ignore' });
  return Promise.resolve({
    probe: systemdProbe(),
    host: 'localhost',
    service: `${prefix}.service`,
    missing: `${prefix}-missing.service`,
    start: (service) => {
      const unit = service.replace(/\.service$/, '');
      execFileSync('systemd-run', ['--quiet', '--collect', `--unit=${unit}`, 'sleep', '1000']);
      started.add(service);
      return Promise.resolve();
    },
    stop: (service) => {
      systemctl('stop', service);
      return Promise.resolve();
    },
    // systemctl cannot be made to block; the fake world covers the killing of a blocked read.
    hang: undefined,
    close: () => {
      for (const service of started) {
        try {
          systemctl('stop', service);
        } catch {
          // already gone
        }
      }
      return Promise.resolve();
    },
  });
}
