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
import type { MonitoredService } from './monitored-service.js';

/** What listing one host's services found: the configured ones it lacks, or why it could not tell. */
export type HostInventory =
  | { readonly host: string; readonly missing: readonly string[] }
  | { readonly host: string; readonly error: string };

/**
 * Butler's start-up check (facts 6.3), as information rather than a verdict: for each host whose
 * probe can list services, which configured services are not installed there. Butler turns the
 * whole monitor off on any miss; the relay reports it and keeps checking, so the service shows as
 * UNKNOWN with the reason until it is installed.
 */
export function findMissingServices(
  services: readonly MonitoredService[],
  timeoutMs: number,
): Observable<HostInventory> {
  const byHost = new Map<string, MonitoredService[]>();
  for (const service of services) {
    if (!service.probe.list) continue;
    byHost.set(service.host, [...(byHost.get(service.host) ?? []), service]);
  }
  return from(byHost).pipe(
    mergeMap(([host, wanted]) =>
      defer(() => {
        const abort = new AbortController();
        const list = wanted[0]?.probe.list?.(host, abort.signal) ?? Promise.resolve([]);
        return from(list).pipe(
          timeout({
            first: timeoutMs,
            with: () => throwError(() => new Error(`no answer within ${timeoutMs} ms`)),
          }),
          finalize(() => abort.abort()),
        );
      }).pipe(
        map((installed): HostInventory => {
          const names = new Set(installed.map((name) => name.toLowerCase()));
          return {
            host,
            missing: wanted.map((s) => s.name).filter((name) => !names.has(name.toLowerCase())),
          };
        }),
        catchError((error: unknown) =>
          of<HostInventory>({
            host,
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      ),
    ),
  );
}
