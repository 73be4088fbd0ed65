import type { RelayEvent } from '../events.js';

/**
 * A declarative test on an event: its kind (one or several) and equality on fields addressed by
 * dotted paths (`data.taskType: 0`; a list means any of). Written in YAML, usable from TypeScript.
 */
export interface EventMatch {
  readonly kind?: string | readonly string[];
  readonly where?: Readonly<Record<string, unknown>>;
}

export function compileMatch(match: EventMatch): (event: RelayEvent) => boolean {
  const kinds = match.kind === undefined ? undefined : new Set([match.kind].flat());
  const fields = Object.entries(match.where ?? {}).map(([path, expected]) => ({
    keys: path.split('.'),
    allowed: Array.isArray(expected) ? expected : [expected],
  }));
  return (event) =>
    (kinds === undefined || kinds.has(event.kind)) &&
    fields.every(({ keys, allowed }) => allowed.includes(readPath(event, keys)));
}

function readPath(event: RelayEvent, keys: readonly string[]): unknown {
  let value: unknown = event;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
