import { filter, finalize, mergeMap, of, tap, type Observable } from 'rxjs';
import {
  CLOUD_RELOAD_COMPONENT,
  DedupeCache,
  ThrottledDropReporter,
  cloudApiFromConfig,
  dedupeBy,
  definePipeline,
  enrichCloudReload,
  toCloudReloadMessages,
  type CloudAppReloadEvent,
  type Pipeline,
  type QlikCloudApi,
  type RelayConfig,
  type RelayEvent,
} from '../lib/index.js';

export interface CloudReloadEventsDeps {
  /** The Qlik Cloud REST API; default: the client `Butler.qlikSenseCloud` describes, if enabled. */
  readonly api?: QlikCloudApi;
}

const isCloudReload = (event: RelayEvent): event is CloudAppReloadEvent =>
  event.kind === 'cloud.app-reload';

/**
 * Qlik Cloud app reloads to MQTT: failed ones on `Relay.cloudEvents.failedTopic` and, with
 * `publishAll`, every one on `allTopic`, as compact JSON enriched from the Qlik Cloud REST API
 * when `Butler.qlikSenseCloud.enable` is set.
 *
 * Butler only sends chat and e-mail alerts for these events and publishes nothing to MQTT. Here a
 * failed REST look-up still publishes (marked as not enriched), a copy of an event already handled
 * is dropped and counted, and malformed, foreign or other events are counted and logged by the
 * source.
 */
export function cloudReloadEventsPipeline(
  config: RelayConfig,
  deps: CloudReloadEventsDeps = {},
): Pipeline {
  const options = config.Relay.cloudEvents;
  const tenantUrl = config.Butler.qlikSenseCloud.event.mqtt.tenant.tenantUrl;

  return definePipeline({
    name: 'cloud-reload-events',
    source: { type: 'qlik-cloud-app-reload' },
    build(events, context) {
      const own = deps.api ? undefined : cloudApiFromConfig(config, context.log, context.metrics);
      const api = deps.api ?? own;
      const drops = new ThrottledDropReporter({
        log: context.log,
        metrics: context.metrics,
        event: 'cloud-event.dropped',
      });
      const dedupe = new DedupeCache(options.dedupeTtlMinutes * 60_000);
      const keyOf = (event: CloudAppReloadEvent): string | undefined =>
        options.dedupeTtlMinutes > 0 ? event.id : undefined;
      const enrich = enrichCloudReload(api, {
        scriptLogTailLines: options.api.scriptLogTailLines,
        log: context.log,
        metrics: context.metrics,
      });
      const toMessages = toCloudReloadMessages({
        failedTopic: options.failedTopic,
        ...(options.publishAll ? { allTopic: options.allTopic } : {}),
        broker: options.broker,
        tenantUrl,
      });
      return (events as Observable<RelayEvent>).pipe(
        filter(isCloudReload),
        filter((event) => event.data.failed || options.publishAll),
        dedupeBy({
          cache: dedupe,
          key: keyOf,
          onDuplicate: (event, key) =>
            drops.report({
              component: CLOUD_RELOAD_COMPONENT,
              reason: 'duplicate',
              detail: `Qlik Cloud event ${key} (app ${event.data.appId}) was handled already`,
            }),
        }),
        mergeMap((event) => {
          const key = keyOf(event);
          return of(event).pipe(
            enrich,
            toMessages,
            // Only once the messages are with the publishers does the id count as handled, so a
            // copy arriving before that is not lost as a duplicate if this one fails.
            tap({
              complete: () => key && dedupe.commit(key),
              error: () => key && dedupe.release(key),
            }),
          );
        }),
        // A step error re-subscribes this chain, so the client closes only when it completes.
        tap({ complete: () => own?.close() }),
        finalize(() => drops.flush()),
      );
    },
  });
}
