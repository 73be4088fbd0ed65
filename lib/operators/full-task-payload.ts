import type { EnrichedTaskEvent } from '../qrs/enriched-task-event.js';
import type { QrsCustomPropertyValue, QrsTag } from '../qrs/qrs-types.js';

export type TaskMessageKind = 'failed' | 'aborted';

export interface FullTaskPayloadOptions {
  /**
   * Append `relay_enrichment` (only when enrichment failed) and `relay_eventId` after Butler's
   * keys; default true. Without them a completely enriched payload is byte for byte Butler's.
   */
  readonly relayFields?: boolean;
}

/**
 * The compact JSON of Butler's full task message: Butler's keys in Butler's order, whole QRS
 * objects passed through as parsed, `qs_appMetadata` only for aborted tasks. What enrichment
 * could not find is left empty (`[]`, `{}`), and then `relay_enrichment` says why.
 */
export function buildFullTaskPayload(
  event: EnrichedTaskEvent,
  kind: TaskMessageKind = event.kind === 'task.failed' ? 'failed' : 'aborted',
  options: FullTaskPayloadOptions = {},
): string {
  const { data } = event;
  const { task, app } = data;
  const payload: Record<string, unknown> = {
    hostName: data.hostName,
    user: data.user.replace(/\\\\/g, '\\'), // Butler turns a doubled backslash into one
    taskName: data.taskName,
    taskId: data.taskId,
    appName: data.appName,
    appId: data.appId,
    logTimeStamp: data.logTimeStamp,
    logLevel: data.logLevel,
    executionId: data.executionId,
    logMessage: data.logMessage,
    qs_appTags: tagNames(app?.tags),
    qs_appCustomProperties: customPropertyPairs(app?.customProperties),
    qs_taskTags: tagNames(task?.tags),
    qs_taskCustomProperties: customPropertyPairs(task?.customProperties),
  };
  if (kind === 'aborted') payload.qs_appMetadata = app ?? {};
  payload.qs_taskMetadata = task ?? {};
  if (options.relayFields ?? true) {
    if (data.enrichment.status === 'failed') {
      payload.relay_enrichment = { status: 'failed', reason: data.enrichment.reason };
    }
    payload.relay_eventId = event.id;
  }
  return JSON.stringify(payload);
}

function tagNames(tags: readonly QrsTag[] | undefined): string[] {
  return (tags ?? []).map((tag) => tag.name);
}

/** One `{name, value}` per value: a multi-value property yields several pairs with one name. */
function customPropertyPairs(
  values: readonly QrsCustomPropertyValue[] | undefined,
): { name: string; value: string }[] {
  return (values ?? []).map((cp) => ({ name: cp.definition.name, value: cp.value }));
}
