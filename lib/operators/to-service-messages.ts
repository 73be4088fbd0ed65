import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OutboundMessage } from '../events.js';
import { runningPayload, statusPayload, stoppedPayload } from './service-payloads.js';
import type { ServiceStatusEvent } from './track-service-status.js';

export interface ServiceMessageOptions {
  /** Topic prefixes: `Butler.mqttConfig.serviceRunningTopic`, `…StoppedTopic`, `…StatusTopic`. */
  readonly topics: { readonly running: string; readonly stopped: string; readonly status: string };
  /** Publish the status message retained (Butler does not). */
  readonly retainStatus: boolean;
  /** Append the relay's fields (`relay_serviceState`, `relay_error`) to the payloads. */
  readonly relayFields: boolean;
}

/**
 * Butler's service messages for each status: the running or stopped message when the state
 * changed, then the status message, each on `<prefix>/<host>/<service>` (facts 6.4, 6.5).
 */
export function toServiceMessages(
  options: ServiceMessageOptions,
): OperatorFunction<ServiceStatusEvent, OutboundMessage> {
  const { topics } = options;
  return mergeMap((event) => {
    const service = event.data;
    const suffix = `${service.host}/${service.name}`;
    const messages: OutboundMessage[] = [];
    if (service.changed) {
      const stopped = service.status === 'STOPPED';
      messages.push({
        topic: `${stopped ? topics.stopped : topics.running}/${suffix}`,
        payload: (stopped ? stoppedPayload : runningPayload)(service, options),
        eventId: event.id,
      });
    }
    messages.push({
      topic: `${topics.status}/${suffix}`,
      payload: statusPayload(service, options),
      retain: options.retainStatus,
      eventId: event.id,
    });
    return messages;
  });
}
