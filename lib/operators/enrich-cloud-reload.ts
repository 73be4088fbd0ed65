import {
  catchError,
  defer,
  forkJoin,
  map,
  mergeMap,
  of,
  type Observable,
  type OperatorFunction,
} from 'rxjs';
import { silentLogger, type Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import type {
  CloudAppReloadEvent,
  CloudEnrichment,
  CloudEnrichmentStep,
  EnrichedCloudAppReloadEvent,
} from '../qlik-cloud/app-reload-event.js';
import type { QlikCloudApi } from '../qlik-cloud/qlik-cloud-api.js';

export interface EnrichCloudReloadOptions {
  /** Last script-log lines to keep; 0 (the default) skips the script-log request. */
  readonly scriptLogTailLines?: number;
  readonly log?: Logger;
  readonly metrics?: RelayMetrics;
}

type Lookup<T> = { readonly found: T } | { readonly failure: string };

/**
 * Adds the app's metadata, the reload record and the tail of the script log from the Qlik Cloud
 * REST API to each reload event. Without an API (`undefined`: enrichment is off) events pass with
 * `enrichment: { status: 'off' }`. An event is never lost to enrichment: a failed look-up (API
 * down, slow, 401, not found) leaves that part out and says which step failed and why.
 *
 * The look-ups of one event run in parallel; events do not wait for each other, so a slow
 * look-up may let a later event overtake. The client bounds the requests on the wire.
 */
export function enrichCloudReload(
  api: QlikCloudApi | undefined,
  options: EnrichCloudReloadOptions = {},
): OperatorFunction<CloudAppReloadEvent, EnrichedCloudAppReloadEvent> {
  const log = (options.log ?? silentLogger()).child({ component: 'enrich-cloud-reload' });
  const tailLines = Math.max(0, options.scriptLogTailLines ?? 0);
  const count = (outcome: string): void => {
    options.metrics?.cloudEnrichment.inc({ outcome });
  };

  const enrichOne = (
    event: CloudAppReloadEvent,
    cloud: QlikCloudApi,
  ): Observable<EnrichedCloudAppReloadEvent> => {
    const { appId, reloadId } = event.data;
    const tail$ =
      tailLines === 0
        ? of(undefined)
        : lookUp('scriptLog', () => cloud.getScriptLog(appId, reloadId));
    return forkJoin({
      app: lookUp('app', () => cloud.getApp(appId)),
      reload: lookUp('reload', () => cloud.getReload(reloadId)),
      log: tail$,
    }).pipe(
      map(({ app, reload, log: scriptLog }) => {
        const failures = [
          ...failureOf('app', app),
          ...failureOf('reload', reload),
          ...(scriptLog === undefined ? [] : failureOf('scriptLog', scriptLog)),
        ];
        const first = failures[0];
        const enrichment: CloudEnrichment =
          first === undefined
            ? { status: 'complete' }
            : {
                status: 'failed',
                step: first.step,
                reason: failures.map((f) => f.reason).join('; '),
              };
        if (enrichment.status === 'failed') {
          log.warn(
            {
              event: 'cloud-event.enrichment-failed',
              eventId: event.id,
              appId,
              reloadId,
              step: enrichment.step,
            },
            `Qlik Cloud reload event ${event.id} goes on without full REST API data: ${enrichment.reason}`,
          );
        }
        count(enrichment.status === 'complete' ? 'complete' : `failed-${enrichment.step}`);
        return {
          ...event,
          data: {
            ...event.data,
            enrichment,
            ...('found' in app ? { app: app.found } : {}),
            ...('found' in reload ? { reload: reload.found } : {}),
            ...(scriptLog !== undefined && 'found' in scriptLog
              ? { scriptLogTail: lastLines(scriptLog.found, tailLines) }
              : {}),
          },
        };
      }),
    );
  };

  return mergeMap((event) => {
    if (api === undefined) {
      count('off');
      return of({ ...event, data: { ...event.data, enrichment: { status: 'off' as const } } });
    }
    return enrichOne(event, api);
  });
}

function lookUp<T>(
  step: CloudEnrichmentStep,
  call: () => Promise<T | undefined>,
): Observable<Lookup<T>> {
  const notFound: Lookup<T> = { failure: `${step} not found in Qlik Cloud` };
  return defer(call).pipe(
    map((value): Lookup<T> => (value === undefined ? notFound : { found: value })),
    catchError((error: unknown) =>
      of({
        failure: `${step} lookup failed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    ),
  );
}

function failureOf<T>(
  step: CloudEnrichmentStep,
  lookup: Lookup<T>,
): { step: CloudEnrichmentStep; reason: string }[] {
  return 'failure' in lookup ? [{ step, reason: lookup.failure }] : [];
}

/** The last `count` non-empty lines, oldest first; CRLF or LF. */
function lastLines(text: string, count: number): string[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.slice(-count);
}
