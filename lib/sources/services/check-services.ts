import {
  catchError,
  defer,
  finalize,
  from,
  map,
  mergeMap,
  of,
  throwError,
  timeout,
  type Observable,
} from 'rxjs';
import { createEvent, type RelayEvent } from '../../events.js';
import type { MonitoredService } from './monitored-service.js';
import type { ProbeKind } from './service-probe.js';
import type { ServiceReading } from './service-reading.js';

/** The outcome of reading one service once: a reading, or why there is none. */
export interface ServiceCheck {
  readonly host: string;
  readonly name: string;
  readonly friendlyName: string;
  readonly probe: ProbeKind;
  readonly reading?: ServiceReading;
  /** Why the state could not be read; set exactly when `reading` is not. */
  readonly error?: string;
}

export type ServiceCheckedEvent = RelayEvent<'service.checked', ServiceCheck>;

export interface CheckServicesOptions {
  /** One probe call longer than this is cancelled and reported as failed. */
  readonly timeoutMs: number;
  /** Probe calls at once. */
  readonly maxConcurrent: number;
}

/**
 * Reads every service once, `maxConcurrent` at a time, and emits one `service.checked` event
 * per service as its answer comes. A probe that fails, hangs past `timeoutMs` (its process is
 * then killed) or throws yields an event with `error`, never an error of the stream.
 */
export function checkServices(
  services: readonly MonitoredService[],
  options: CheckServicesOptions,
): Observable<ServiceCheckedEvent> {
  return from(services).pipe(
    mergeMap(
      (service) =>
        readOnce(service, options.timeoutMs).pipe(
          map((reading): ServiceCheck => ({ ...identity(service), reading })),
          catchError((error: unknown) =>
            of<ServiceCheck>({ ...identity(service), error: describe(error) }),
          ),
          map((check) => createEvent('service.checked', `service-probe:${check.probe}`, check)),
        ),
      options.maxConcurrent,
    ),
  );
}

function readOnce(service: MonitoredService, timeoutMs: number): Observable<ServiceReading> {
  return defer(() => {
    const abort = new AbortController();
    return from(service.probe.read(service.host, service.name, abort.signal)).pipe(
      timeout({
        first: timeoutMs,
        with: () => throwError(() => new Error(`no answer within ${timeoutMs} ms`)),
      }),
      // Ends whatever is still running (a child process) when the answer is late or unwanted.
      finalize(() => abort.abort()),
    );
  });
}

function identity(service: MonitoredService): Omit<ServiceCheck, 'reading' | 'error'> {
  return {
    host: service.host,
    name: service.name,
    friendlyName: service.friendlyName,
    probe: service.probe.kind,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
