import { finalize, mergeMap, of, takeUntil, EMPTY, type Observable } from 'rxjs';
import { createEvent, type QoS } from '../events.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import { isValidTopicFilter } from '../mqtt/topics.js';
import {
  PipelineDefinitionError,
  type PipelineContext,
  type SourceSpec,
} from '../pipeline/pipeline.js';
import type { CloudAppReloadEvent } from '../qlik-cloud/app-reload-event.js';
import { parseAppReload } from '../qlik-cloud/parse-app-reload.js';
import { printableExcerpt } from '../operators/printable-excerpt.js';

/** The `component` label of what this source drops. */
export const CLOUD_RELOAD_COMPONENT = 'cloud:app-reload';

const TENANT_ID_KEY = 'Butler.qlikSenseCloud.event.mqtt.tenant.id';

/**
 * Qlik Cloud `com.qlik.v1.app.reload.finished` events from the forward broker as typed
 * `cloud.app-reload` events, with Butler's rules: the message must be JSON on a topic starting
 * with `topic.appReload`, of that event type, from the configured tenant. Everything else is
 * counted in `relay_dropped_total{component="cloud:app-reload"}` and reported in throttled warn
 * lines (`cloud-event.dropped`); the next message is read as if nothing happened.
 *
 * Spec: `{ type: qlik-cloud-app-reload }`; `broker` (default `cloud`), `topic` (default
 * `topic.subscriptionRoot`), `prefix` (default `topic.appReload`) and `tenantId` may override
 * Butler's keys.
 */
export function cloudAppReloadSource(
  spec: SourceSpec,
  context: PipelineContext,
): Observable<CloudAppReloadEvent> {
  const forward = context.config.Butler.mqttConfig.qlikSenseCloud.event.mqttForward;
  const filter = spec.topic ?? forward.topic.subscriptionRoot;
  if (typeof filter !== 'string' || !isValidTopicFilter(filter)) {
    throw new PipelineDefinitionError(
      'source.topic',
      `got ${JSON.stringify(filter)}, expected an MQTT topic filter`,
    );
  }
  const prefix = spec.prefix ?? forward.topic.appReload;
  if (typeof prefix !== 'string' || prefix === '') {
    throw new PipelineDefinitionError('source.prefix', 'expected a topic prefix');
  }
  const tenantId = spec.tenantId ?? context.config.Butler.qlikSenseCloud.event.mqtt.tenant.id;
  if (typeof tenantId !== 'string' || tenantId.trim() === '') {
    throw new PipelineDefinitionError(
      spec.tenantId === undefined ? TENANT_ID_KEY : 'source.tenantId',
      "is empty; set it to your Qlik Cloud tenant's id (events of other tenants are dropped)",
    );
  }
  const brokerName = typeof spec.broker === 'string' ? spec.broker : 'cloud';
  const broker = context.brokers.get(brokerName);
  if (!broker) {
    throw new PipelineDefinitionError(
      'source.broker',
      `no connection to broker "${brokerName}" (set Butler.mqttConfig.enable and qlikSenseCloud.event.mqttForward.enable)`,
    );
  }
  if (tenantId.includes('.')) {
    // Butler's template puts a host name here, which no event ever carries.
    context.log.warn(
      { event: 'cloud-event.tenant-id-looks-like-host', tenantId },
      `${TENANT_ID_KEY} is ${JSON.stringify(tenantId)}, which looks like a host name; events carry the tenant id (as in the tenant's About page) and would all be dropped as foreign-tenant`,
    );
  }

  const drops = new ThrottledDropReporter({
    log: context.log,
    metrics: context.metrics,
    event: 'cloud-event.dropped',
  });
  const rules = { topicPrefix: prefix, tenantId };
  const name = `mqtt:${brokerName}:${filter}`;
  return broker.messages(filter, { qos: (spec.qos ?? 1) as QoS }).pipe(
    mergeMap((message) => {
      const text = message.payload.toString('utf8');
      const parsed = parseAppReload(message.topic, text, rules);
      if (parsed.ok) {
        return of(createEvent('cloud.app-reload', name, parsed.data, parsed.data.eventId));
      }
      drops.report({
        component: CLOUD_RELOAD_COMPONENT,
        reason: parsed.reason,
        detail: parsed.detail,
        context: { topic: message.topic, excerpt: printableExcerpt(message.payload) },
      });
      return EMPTY;
    }),
    takeUntil(context.stopping$),
    // Drops since the last throttled warning would otherwise never reach the log.
    finalize(() => drops.flush()),
  );
}
