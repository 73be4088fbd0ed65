import { defer, map, type OperatorFunction } from 'rxjs';
import type { RelayEvent } from '../events.js';
import type { ServiceCheck, ServiceCheckedEvent } from '../sources/services/check-services.js';
import {
  butlerStatusOf,
  type ButlerServiceStatus,
  type ServiceState,
} from '../sources/services/service-reading.js';

/** Butler's state machine per service: PAUSED until the first state is known. */
export type ButlerMachineState = ButlerServiceStatus | 'PAUSED';

/** The details a service message carries, with Butler's empty values where none are known. */
export interface ServiceDetails {
  readonly displayName: string;
  readonly startType: string;
  readonly exePath: string;
  readonly dependencies: readonly string[];
}

/** A check placed in the service's history: what Butler would say, and what the relay adds. */
export interface ServiceStatus extends Omit<ServiceCheck, 'reading'> {
  /** Butler's `serviceStatus`, or UNKNOWN when the probe failed. */
  readonly status: ButlerServiceStatus | 'UNKNOWN';
  /** The full state (pending and paused kept), or UNKNOWN when the probe failed. */
  readonly state: ServiceState | 'UNKNOWN';
  /** The state machine before this check (Butler's `servicePrevStatus`). */
  readonly previous: ButlerMachineState;
  /** A running or stopped message is due (facts 6.4). */
  readonly changed: boolean;
  /** From this reading, or the last one that had them when this one failed. */
  readonly details: ServiceDetails;
}

export type ServiceStatusEvent = RelayEvent<'service.status', ServiceStatus>;

const NO_DETAILS: ServiceDetails = {
  displayName: '',
  startType: '',
  exePath: '',
  dependencies: [],
};

/**
 * Follows each service (by host and name) from check to check, with Butler's first-check rule:
 * the first known state RUNNING is no change, the first known state STOPPED is a change from
 * PAUSED. A failed check (UNKNOWN) changes nothing: the next known state is compared with the
 * last known one. History lives per subscription, so it starts afresh as Butler's does on restart.
 */
export function trackServiceStatus(): OperatorFunction<ServiceCheckedEvent, ServiceStatusEvent> {
  return (checks) =>
    defer(() => {
      const history = new Map<string, { machine: ButlerMachineState; details: ServiceDetails }>();
      return checks.pipe(
        map((event): ServiceStatusEvent => {
          const { reading, ...check } = event.data;
          const key = JSON.stringify([check.host.toLowerCase(), check.name.toLowerCase()]);
          const known = history.get(key) ?? { machine: 'PAUSED' as const, details: NO_DETAILS };
          if (reading === undefined) {
            return statusEvent(event, {
              ...check,
              status: 'UNKNOWN',
              state: 'UNKNOWN',
              previous: known.machine,
              changed: false,
              details: known.details,
            });
          }
          const status = butlerStatusOf(reading.state);
          const changed =
            status !== known.machine && !(known.machine === 'PAUSED' && status === 'RUNNING');
          const details: ServiceDetails = {
            displayName: reading.displayName ?? known.details.displayName,
            startType: reading.startType ?? known.details.startType,
            exePath: reading.exePath ?? known.details.exePath,
            dependencies: reading.dependencies ?? known.details.dependencies,
          };
          history.set(key, { machine: status, details });
          return statusEvent(event, {
            ...check,
            status,
            state: reading.state,
            previous: known.machine,
            changed,
            details,
          });
        }),
      );
    });
}

function statusEvent(from: ServiceCheckedEvent, data: ServiceStatus): ServiceStatusEvent {
  return {
    id: from.id,
    kind: 'service.status',
    source: from.source,
    receivedAt: from.receivedAt,
    data,
  };
}
