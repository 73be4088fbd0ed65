import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { RelayEvent } from '../events.js';
import { compileMatch, type EventMatch } from './event-match.js';

/** Lets through only the events that match, e.g. `filterEvents({ kind: 'task.failed' })`. */
export function filterEvents<E extends RelayEvent>(match: EventMatch): MonoTypeOperatorFunction<E> {
  const matches = compileMatch(match);
  return filter((event: E) => matches(event));
}
