import { isServiceState, type ServiceReading, type ServiceState } from '../service-reading.js';
import { parseScQuery } from './sc-output.js';

/** Words a user's command may print, besides sc.exe's own state names. */
const STATE_BY_WORD: Record<string, ServiceState> = {
  active: 'RUNNING',
  up: 'RUNNING',
  started: 'RUNNING',
  inactive: 'STOPPED',
  down: 'STOPPED',
  dead: 'STOPPED',
  failed: 'STOPPED',
  exited: 'STOPPED',
  activating: 'START_PENDING',
  starting: 'START_PENDING',
  deactivating: 'STOP_PENDING',
  stopping: 'STOP_PENDING',
};

/**
 * The reading a user's command printed, in the first form that fits: a JSON object
 * (`{"state":"RUNNING","displayName":…,"startType":…,"exePath":…,"dependencies":[…]}`),
 * sc.exe query output (a `STATE : 4 RUNNING` line), or a state word on the first line
 * (`RUNNING`, `stopped`, systemd's `active`/`inactive`, …). Undefined when none fits.
 */
export function parseCommandOutput(output: string): ServiceReading | undefined {
  const trimmed = output.trim();
  if (trimmed.startsWith('{')) return fromJson(trimmed);
  if (/^\s*STATE\s*:/m.test(output)) {
    try {
      return { state: parseScQuery(output) };
    } catch {
      return undefined;
    }
  }
  const word = trimmed.split(/\s+/)[0] ?? '';
  const state = stateOfWord(word);
  return state === undefined ? undefined : { state };
}

function stateOfWord(word: string): ServiceState | undefined {
  const upper = word.toUpperCase();
  if (isServiceState(upper)) return upper;
  return STATE_BY_WORD[word.toLowerCase()];
}

function fromJson(text: string): ServiceReading | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const fields = parsed as Record<string, unknown>;
  const state = typeof fields.state === 'string' ? stateOfWord(fields.state) : undefined;
  if (state === undefined) return undefined;
  const text_ = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : undefined;
  const dependencies = Array.isArray(fields.dependencies)
    ? fields.dependencies.filter((item): item is string => typeof item === 'string')
    : undefined;
  return {
    state,
    ...optional('displayName', text_(fields.displayName)),
    ...optional('startType', text_(fields.startType)),
    ...optional('exePath', text_(fields.exePath)),
    ...optional('dependencies', dependencies),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
