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
 *
 * Written piece by piece rather than as one `JSON.stringify`: the Repository Service objects
 * are the bulk of the payload and the same cached objects come back event after event, so their
 * JSON is made once per object (profiled: a whole-payload stringify per event was the relay's
 * largest cost of its own under load). The bytes are those of `JSON.stringify` on the whole.
 */
export function buildFullTaskPayload(
  event: EnrichedTaskEvent,
  kind: TaskMessageKind = event.kind === 'task.failed' ? 'failed' : 'aborted',
  options: FullTaskPayloadOptions = {},
): string {
  const { data } = event;
  const fields = JSON.stringify({
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
  });
  const app = data.app ? jsonPartsOf(data.app) : MISSING;
  const task = data.task ? jsonPartsOf(data.task) : MISSING;
  let json =
    `${fields.slice(0, -1)},"qs_appTags":${app.tagNames}` +
    `,"qs_appCustomProperties":${app.customProperties}` +
    `,"qs_taskTags":${task.tagNames},"qs_taskCustomProperties":${task.customProperties}`;
  if (kind === 'aborted') json += `,"qs_appMetadata":${app.whole}`;
  json += `,"qs_taskMetadata":${task.whole}`;
  if (options.relayFields ?? true) {
    if (data.enrichment.status === 'failed') {
      const enrichment = { status: 'failed', reason: data.enrichment.reason };
      json += `,"relay_enrichment":${JSON.stringify(enrichment)}`;
    }
    json += `,"relay_eventId":${JSON.stringify(event.id)}`;
  }
  return `${json}}`;
}

/** The JSON of what a payload takes from one Repository Service object. */
interface JsonParts {
  readonly tagNames: string;
  readonly customProperties: string;
  readonly whole: string;
}

interface QrsObject {
  readonly tags?: readonly QrsTag[];
  readonly customProperties?: readonly QrsCustomPropertyValue[];
}

const MISSING: JsonParts = { tagNames: '[]', customProperties: '[]', whole: '{}' };

/** Keyed by the object itself: the client's cache hands out the same, never changed, object. */
const partsByObject = new WeakMap<QrsObject, JsonParts>();

function jsonPartsOf(object: QrsObject): JsonParts {
  let parts = partsByObject.get(object);
  if (parts === undefined) {
    parts = {
      tagNames: JSON.stringify(tagNames(object.tags)),
      customProperties: JSON.stringify(customPropertyPairs(object.customProperties)),
      whole: JSON.stringify(object),
    };
    partsByObject.set(object, parts);
  }
  return parts;
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
