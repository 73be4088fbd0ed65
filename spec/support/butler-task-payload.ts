import type { QrsAppFull, QrsCustomPropertyValue, QrsTaskFull } from '../../lib/qrs/qrs-types.js';
import { schedulerFields } from './task-event-fixtures.js';

export interface ExpectedFullPayload {
  readonly kind: 'failed' | 'aborted';
  /** The Repository Service objects the relay should have found; absent when it could not. */
  readonly task?: QrsTaskFull;
  readonly app?: QrsAppFull;
  /** The relay's own fields; absent means `Relay.taskEvents.relayFields: false`. */
  readonly relay?: { readonly eventId: string; readonly enrichmentFailure?: string };
}

/**
 * The full task message for `datagram`, written out from the format Butler documents (key order,
 * `qs_appMetadata` only when aborted, compact JSON) and the relay's additions at the end. It is
 * the specs' own statement of the format, independent of the code that produces it.
 */
export function expectedFullPayload(datagram: string, expected: ExpectedFullPayload): string {
  const f = schedulerFields(datagram);
  const { task, app } = expected;
  const payload: Record<string, unknown> = {
    hostName: f.hostName,
    user: f.user.replaceAll('\\\\', '\\'),
    taskName: f.taskName,
    taskId: f.taskId,
    appName: f.appName,
    appId: f.appId,
    logTimeStamp: f.logTimeStamp,
    logLevel: f.logLevel,
    executionId: f.executionId,
    logMessage: f.logMessage,
    qs_appTags: (app?.tags ?? []).map((tag) => tag.name),
    qs_appCustomProperties: pairs(app?.customProperties),
    qs_taskTags: (task?.tags ?? []).map((tag) => tag.name),
    qs_taskCustomProperties: pairs(task?.customProperties),
  };
  if (expected.kind === 'aborted') payload.qs_appMetadata = app ?? {};
  payload.qs_taskMetadata = task ?? {};
  if (expected.relay) {
    const { eventId, enrichmentFailure } = expected.relay;
    if (enrichmentFailure !== undefined) {
      payload.relay_enrichment = { status: 'failed', reason: enrichmentFailure };
    }
    payload.relay_eventId = eventId;
  }
  return JSON.stringify(payload);
}

/** The relay's event id of a scheduler datagram: its kind and execution id. */
export function taskEventId(kind: 'failed' | 'aborted', datagram: string): string {
  return `task.${kind}:${schedulerFields(datagram).executionId}`;
}

function pairs(values: readonly QrsCustomPropertyValue[] | undefined) {
  return (values ?? []).map((cp) => ({ name: cp.definition.name, value: cp.value }));
}
