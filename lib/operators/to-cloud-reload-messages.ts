import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OutboundMessage } from '../events.js';
import type { EnrichedCloudAppReloadEvent } from '../qlik-cloud/app-reload-event.js';
import { buildCloudReloadPayload, type CloudReloadPayloadOptions } from './cloud-reload-payload.js';

export interface CloudReloadMessageOptions extends CloudReloadPayloadOptions {
  /** Failed reloads go here. */
  readonly failedTopic: string;
  /** Every reload, failed or not, also goes here when set. */
  readonly allTopic?: string;
  /** Default `main`. */
  readonly broker?: string;
}

/**
 * One message per topic an event belongs on: a failed reload on `failedTopic`, and with
 * `allTopic` every reload there too. Each carries the Cloud event id as its event id (an MQTT 5
 * user property), so a copy sent again after a reconnect is recognisable.
 */
export function toCloudReloadMessages(
  options: CloudReloadMessageOptions,
): OperatorFunction<EnrichedCloudAppReloadEvent, OutboundMessage> {
  const broker = options.broker ?? 'main';
  return mergeMap((event) => {
    const payload = buildCloudReloadPayload(event, options);
    const topics = [
      ...(event.data.failed ? [options.failedTopic] : []),
      ...(options.allTopic === undefined ? [] : [options.allTopic]),
    ];
    return topics.map((topic): OutboundMessage => ({ topic, payload, broker, eventId: event.id }));
  });
}
