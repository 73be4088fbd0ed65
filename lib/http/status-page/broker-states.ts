import { map, merge, type Observable } from 'rxjs';
import type { ConnectionState } from '../../mqtt/broker-connection.js';

/** What the status page needs of a broker connection to follow its state. */
export interface StateReportingBroker {
  readonly state$: Observable<ConnectionState>;
}

export interface BrokerStateReading {
  readonly state: ConnectionState;
  /** Epoch milliseconds when it entered that state (or when watching began). */
  readonly since: number;
}

export interface BrokerStates {
  read(name: string): BrokerStateReading | undefined;
  stop(): void;
}

/**
 * Follows each broker's connection state and when it last changed. States change rarely, so this
 * costs nothing per message; the subscriptions end with the connections (or `stop()`).
 */
export function watchBrokerStates(
  brokers: ReadonlyMap<string, StateReportingBroker>,
  now: () => number = Date.now,
): BrokerStates {
  const readings = new Map<string, BrokerStateReading>();
  const subscription = merge(
    ...[...brokers].map(([name, broker]) =>
      broker.state$.pipe(map((state) => ({ name, state, since: now() }))),
    ),
  ).subscribe(({ name, state, since }) => readings.set(name, { state, since }));
  return {
    read: (name) => readings.get(name),
    stop: () => subscription.unsubscribe(),
  };
}
