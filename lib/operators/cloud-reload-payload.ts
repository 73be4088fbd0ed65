import type { EnrichedCloudAppReloadEvent } from '../qlik-cloud/app-reload-event.js';

export interface CloudReloadPayloadOptions {
  /** `Butler.qlikSenseCloud.event.mqtt.tenant.tenantUrl`; gives `appUrl` when set. */
  readonly tenantUrl?: string;
}

/**
 * The compact JSON of a Qlik Cloud reload message, keys in a fixed order. `eventId` is the Cloud
 * event's id, the same in every copy of one event, for consumers to de-duplicate with. What the
 * REST API did not give is left out, and `enrichment` says why.
 */
export function buildCloudReloadPayload(
  event: EnrichedCloudAppReloadEvent,
  options: CloudReloadPayloadOptions = {},
): string {
  const { data } = event;
  const payload: Record<string, unknown> = {
    eventId: data.eventId,
    eventTime: data.eventTime,
    tenantId: data.tenantId,
    appId: data.appId,
    appName: data.app?.name ?? data.appName,
    reloadId: data.reloadId,
    status: data.status,
    failed: data.failed,
    ownerId: data.ownerId,
    userId: data.userId,
    duration: data.duration,
    errors: data.errors,
    warnings: data.warnings,
    isPartialReload: data.isPartialReload,
    endedWithMemoryConstraint: data.endedWithMemoryConstraint,
    peakMemoryBytes: data.peakMemoryBytes,
    sizeMemory: data.sizeMemory,
    appUrl: appUrl(options.tenantUrl, data.appId),
    app: data.app,
    reload: data.reload,
    scriptLogTail: data.scriptLogTail,
    enrichment: data.enrichment,
  };
  // JSON.stringify leaves out keys whose value is undefined: absent stays absent.
  return JSON.stringify(payload);
}

/** `<tenantUrl>/sense/app/<appId>`, as Butler builds it for its alerts. */
function appUrl(tenantUrl: string | undefined, appId: string): string | undefined {
  if (!tenantUrl) return undefined;
  return `${tenantUrl.replace(/\/+$/, '')}/sense/app/${encodeURIComponent(appId)}`;
}
