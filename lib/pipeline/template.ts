import type { RelayEvent } from '../events.js';

/** A payload or topic template compiled once and applied per event. */
export type Template = (event: RelayEvent) => string;

const PLACEHOLDER = /\{\{\s*([\w.$-]+)\s*\}\}/g;

/**
 * Compiles `sense/{{data.host}}/x` style templates. A path reads from the event envelope
 * (`id`, `kind`, `source`, `receivedAt`, `data.…`); objects render as compact JSON, a missing
 * value as an empty string. Two whole-payload forms: `json` (the event data as compact JSON) and
 * `event` (the whole envelope as compact JSON).
 */
export function compileTemplate(text: string): Template {
  if (text === 'json') return (event) => JSON.stringify(event.data);
  if (text === 'event') return (event) => JSON.stringify(event);
  const parts = text.split(PLACEHOLDER);
  if (parts.length === 1) return () => text;
  // split() with one capture group alternates literal text and placeholder paths.
  const pieces = parts.map((part, index) => (index % 2 === 0 ? part : pathReader(part)));
  return (event) =>
    pieces.map((piece) => (typeof piece === 'string' ? piece : piece(event))).join('');
}

function pathReader(path: string): (event: RelayEvent) => string {
  const keys = path.split('.');
  return (event) => {
    let value: unknown = event;
    for (const key of keys) {
      if (value === null || typeof value !== 'object') return '';
      value = (value as Record<string, unknown>)[key];
    }
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
}
