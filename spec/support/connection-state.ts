import { filter, firstValueFrom, throwError, timeout } from 'rxjs';
import type { BrokerConnection, ConnectionState } from '../../lib/mqtt/broker-connection.js';

/** Resolves when `connection` reaches `state` (at once if it is there); rejects after `timeoutMs`. */
export function whenState(
  connection: BrokerConnection,
  state: ConnectionState,
  timeoutMs = 5_000,
): Promise<ConnectionState> {
  return firstValueFrom(
    connection.state$.pipe(
      filter((s) => s === state),
      timeout({
        first: timeoutMs,
        with: () =>
          throwError(
            () => new Error(`connection "${connection.name}" not ${state} within ${timeoutMs} ms`),
          ),
      }),
    ),
  );
}
