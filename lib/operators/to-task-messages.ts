import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OutboundMessage } from '../events.js';
import type { EnrichedTaskEvent } from '../qrs/enriched-task-event.js';
import { buildFullTaskPayload, type TaskMessageKind } from './full-task-payload.js';

export interface TaskMessageOptions {
  /** Butler's `taskFailureTopic`, `taskFailureFullTopic`, `taskAbortedTopic`, `taskAbortedFullTopic`. */
  readonly topics: {
    readonly failed: string;
    readonly failedFull: string;
    readonly aborted: string;
    readonly abortedFull: string;
  };
  /** Butler's `taskFailureSendFull` and `taskAbortedSendFull`. */
  readonly sendFull: { readonly failed: boolean; readonly aborted: boolean };
  /**
   * Publish only for reload tasks (type 0), as Butler does; default true. A task whose type is
   * unknown because its lookup failed is published, so that no failure goes unreported.
   */
  readonly onlyReloadTasks?: boolean;
  /** See `FullTaskPayloadOptions.relayFields`; default true. */
  readonly relayFields?: boolean;
}

/**
 * Turns each enriched failed or aborted task event into Butler's messages: the task name as plain
 * text on the basic topic, then (when enabled) the full JSON on the full topic. Each message
 * carries the event id.
 */
export function toTaskMessages(
  options: TaskMessageOptions,
): OperatorFunction<EnrichedTaskEvent, OutboundMessage> {
  return mergeMap(taskMessages(options));
}

/** What `toTaskMessages` makes of one event, as a plain function. */
export function taskMessages(
  options: TaskMessageOptions,
): (event: EnrichedTaskEvent) => OutboundMessage[] {
  const onlyReload = options.onlyReloadTasks ?? true;
  const payloadOptions = { relayFields: options.relayFields ?? true };
  return (event) => {
    const { taskType } = event.data;
    if (onlyReload && taskType !== undefined && taskType !== 0) return [];
    const kind: TaskMessageKind = event.kind === 'task.failed' ? 'failed' : 'aborted';
    const basic: OutboundMessage = {
      topic: kind === 'failed' ? options.topics.failed : options.topics.aborted,
      payload: event.data.taskName,
      eventId: event.id,
    };
    if (!options.sendFull[kind]) return [basic];
    const full: OutboundMessage = {
      topic: kind === 'failed' ? options.topics.failedFull : options.topics.abortedFull,
      payload: buildFullTaskPayload(event, kind, payloadOptions),
      eventId: event.id,
    };
    return [basic, full];
  };
}
