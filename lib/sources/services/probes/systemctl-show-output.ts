import type { ServiceReading, ServiceState } from '../service-reading.js';

/** The properties the systemd probe asks `systemctl show` for. */
export const SHOWN_PROPERTIES = [
  'Id',
  'Description',
  'LoadState',
  'ActiveState',
  'SubState',
  'UnitFileState',
  'ExecStart',
  'FragmentPath',
  'Requires',
] as const;

const STATE_BY_ACTIVE_STATE: Record<string, ServiceState> = {
  active: 'RUNNING',
  reloading: 'RUNNING',
  refreshing: 'RUNNING',
  inactive: 'STOPPED',
  failed: 'STOPPED',
  maintenance: 'STOPPED',
  activating: 'START_PENDING',
  deactivating: 'STOP_PENDING',
};

/**
 * A unit as `systemctl show --property=… <unit>` prints it (`Key=Value` lines), in the service
 * manager's terms: active is RUNNING, inactive and failed are STOPPED, activating and
 * deactivating are the pending states; an enabled unit starts `Automatic`, a masked one is
 * `Disabled`, anything else `Manual`.
 */
export function parseSystemctlShow(output: string, unit: string): ServiceReading {
  const properties = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (at > 0 && !properties.has(line.slice(0, at))) {
      properties.set(line.slice(0, at), line.slice(at + 1));
    }
  }
  const loadState = properties.get('LoadState');
  if (loadState === undefined) throw new Error(`systemctl show printed nothing about ${unit}`);
  if (loadState === 'not-found') throw new Error(`unit ${unit} not found`);
  if (loadState !== 'loaded' && loadState !== 'masked') {
    throw new Error(`unit ${unit} could not be loaded (LoadState=${loadState})`);
  }
  const activeState = properties.get('ActiveState') ?? '';
  const state = STATE_BY_ACTIVE_STATE[activeState];
  if (state === undefined) throw new Error(`unit ${unit} has unknown ActiveState=${activeState}`);
  return {
    state,
    displayName: properties.get('Description') ?? '',
    startType: startTypeOf(properties.get('UnitFileState') ?? '', loadState),
    exePath:
      commandLineOf(properties.get('ExecStart') ?? '') || (properties.get('FragmentPath') ?? ''),
    dependencies: (properties.get('Requires') ?? '')
      .split(/\s+/)
      .filter((required) => required.endsWith('.service')),
  };
}

function startTypeOf(unitFileState: string, loadState: string): string {
  if (loadState === 'masked' || unitFileState.startsWith('masked')) return 'Disabled';
  if (/^(enabled|alias|indirect|generated)/.test(unitFileState)) return 'Automatic';
  return 'Manual';
}

/** `{ path=/usr/sbin/sshd ; argv[]=/usr/sbin/sshd -D ; … }` → `/usr/sbin/sshd -D` (first command). */
function commandLineOf(execStart: string): string {
  const argv = /argv\[\]=([^;]*?)\s*;/.exec(execStart);
  if (argv) return argv[1] ?? '';
  return /path=([^;]*?)\s*;/.exec(execStart)?.[1] ?? '';
}
