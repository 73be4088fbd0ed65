import type { ServiceReading, ServiceState } from '../service-reading.js';

/** One block of `sc.exe query state= all`. */
export interface ScServiceEntry {
  readonly name: string;
  readonly displayName: string;
  readonly state: ServiceState;
}

/** sc.exe's state numbers (SERVICE_STATUS.dwCurrentState). */
const STATE_BY_CODE: Record<number, ServiceState> = {
  1: 'STOPPED',
  2: 'START_PENDING',
  3: 'STOP_PENDING',
  4: 'RUNNING',
  5: 'CONTINUE_PENDING',
  6: 'PAUSE_PENDING',
  7: 'PAUSED',
};

/** START_TYPE numbers in Butler's words where Butler has one (2, 3, 4). */
const START_TYPE_BY_CODE: Record<number, string> = {
  0: 'Boot',
  1: 'System',
  2: 'Automatic',
  3: 'Manual',
  4: 'Disabled',
};

const KEYED_LINE = /^\s*([A-Z][A-Z0-9_]*)\s*:\s?(.*)$/;
const CONTINUATION_LINE = /^\s+:\s?(.*)$/;
const FAILURE_LINE = /FAILED\s+(\d+):?/;

/**
 * sc.exe's own complaint, e.g. `[SC] OpenService FAILED 1060: The specified service does not
 * exist as an installed service.`; undefined when the output reports none.
 */
export function scFailure(output: string): string | undefined {
  const lines = output.split(/\r?\n/).map((line) => line.trim());
  const at = lines.findIndex((line) => FAILURE_LINE.test(line));
  if (at < 0) return undefined;
  const explanation = lines.slice(at + 1).find((line) => line !== '');
  return explanation === undefined ? lines[at] : `${lines[at]} ${explanation}`;
}

/** `sc.exe \\host query state= all`: one entry per block, blocks separated by blank lines. */
export function parseScQueryAll(output: string): ScServiceEntry[] {
  return output
    .split(/\r?\n\s*\r?\n/)
    .map(fieldsOf)
    .flatMap((fields) => {
      const name = fields.get('SERVICE_NAME');
      const state = stateOf(fields.get('STATE'));
      if (name === undefined || state === undefined) return [];
      return [{ name, displayName: fields.get('DISPLAY_NAME') ?? '', state }];
    });
}

/**
 * The state from `sc.exe \\host query "<name>"`. Unlike Butler, which calls everything but
 * STOPPED running, the pending and paused states are kept.
 */
export function parseScQuery(output: string): ServiceState {
  const state = stateOf(fieldsOf(output).get('STATE'));
  if (state === undefined) {
    throw new Error(scFailure(output) ?? 'sc.exe query printed no STATE line');
  }
  return state;
}

/** The details from `sc.exe \\host qc "<name>"`. */
export function parseScQc(output: string): Omit<ServiceReading, 'state'> {
  const fields = fieldsOf(output);
  const startType = /^\s*(\d+)/.exec(fields.get('START_TYPE') ?? '');
  if (!fields.has('SERVICE_NAME') || !startType) {
    throw new Error(scFailure(output) ?? 'sc.exe qc printed no service configuration');
  }
  const code = Number(startType[1]);
  return {
    displayName: fields.get('DISPLAY_NAME') ?? '',
    startType: START_TYPE_BY_CODE[code] ?? `Unknown (${code})`,
    exePath: fields.get('BINARY_PATH_NAME') ?? '',
    dependencies: (fields.get('DEPENDENCIES') ?? '')
      .split('\n')
      .map((dependency) => dependency.trim())
      .filter((dependency) => dependency !== ''),
  };
}

/** `STATE : 4  RUNNING` → RUNNING; the number decides, the name covers an unknown number. */
function stateOf(value: string | undefined): ServiceState | undefined {
  const found = /^\s*(\d+)\s+([A-Z_]+)/.exec(value ?? '');
  if (!found) return undefined;
  const byCode = STATE_BY_CODE[Number(found[1])];
  if (byCode !== undefined) return byCode;
  return Object.values(STATE_BY_CODE).find((state) => state === found[2]);
}

/**
 * `KEY : value` lines by key (first one wins); continuation lines (` : value`, as under
 * DEPENDENCIES) are appended to the key before them, one per line.
 */
function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    const continued = CONTINUATION_LINE.exec(line);
    if (continued && last !== undefined) {
      fields.set(last, `${fields.get(last) ?? ''}\n${(continued[1] ?? '').trim()}`);
      continue;
    }
    const keyed = KEYED_LINE.exec(line);
    if (!keyed) {
      last = undefined;
      continue;
    }
    const key = keyed[1] ?? '';
    last = key;
    if (!fields.has(key)) fields.set(key, (keyed[2] ?? '').trim());
    else last = undefined; // a repeated key is not ours to extend
  }
  return fields;
}
