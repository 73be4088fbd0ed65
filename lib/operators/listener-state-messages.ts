import { endWith, filter, map, type OperatorFunction } from 'rxjs';
import type { OutboundMessage, RelayEvent } from '../events.js';

/**
 * A UDP listener's state as Butler's status topics carry it: `start` when it listens, `error`
 * on a socket error, and `stop` when its events end (the relay shuts down). Retained, so a late
 * subscriber learns the current state.
 */
export function listenerStateMessages(
  topic: string,
): OperatorFunction<RelayEvent, OutboundMessage> {
  return (events) =>
    events.pipe(
      filter((event) => event.kind === 'udp.listening' || event.kind === 'udp.error'),
      map((event) => (event.kind === 'udp.listening' ? 'start' : 'error')),
      endWith('stop'),
      map((state): OutboundMessage => ({ topic, payload: state, retain: true })),
    );
}
