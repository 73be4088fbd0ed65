import type { DropReason } from '../events.js';
import { describeValue } from '../log/describe-value.js';
import { APP_RELOAD_FINISHED, type CloudAppReloadData } from './app-reload-event.js';

export interface AppReloadRules {
  /** `topic.appReload`: only topics starting with it carry reload events (Butler's prefix rule). */
  readonly topicPrefix: string;
  /** `Butler.qlikSenseCloud.event.mqtt.tenant.id`: events of any other tenant are dropped. */
  readonly tenantId: string;
}

export type AppReloadParseProblemReason = Extract<
  DropReason,
  'malformed' | 'unknown-type' | 'foreign-tenant'
>;

export type AppReloadParseResult =
  | { readonly ok: true; readonly data: CloudAppReloadData }
  | { readonly ok: false; readonly reason: AppReloadParseProblemReason; readonly detail: string };

type Json = Record<string, unknown>;

/**
 * Reads one message from the forward broker as a reload-finished event of the configured tenant,
 * or says why it is not one: `unknown-type` (another topic or event type), `malformed` (not JSON,
 * or an id the relay needs is missing), `foreign-tenant`. Never throws.
 */
export function parseAppReload(
  topic: string,
  payload: string,
  rules: AppReloadRules,
): AppReloadParseResult {
  if (!topic.startsWith(rules.topicPrefix)) {
    return problem('unknown-type', `topic ${topic} is not under ${rules.topicPrefix}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch (error) {
    return problem('malformed', `not JSON on ${topic}: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) return problem('malformed', `not a JSON object on ${topic}`);
  if (parsed.eventType !== APP_RELOAD_FINISHED) {
    return problem('unknown-type', `event type ${describeValue(parsed.eventType)} on ${topic}`);
  }
  const extensions = isObject(parsed.extensions) ? parsed.extensions : {};
  const data = isObject(parsed.data) ? parsed.data : {};
  const missing = [
    ['eventId', parsed.eventId],
    ['extensions.tenantId', extensions.tenantId],
    ['extensions.topLevelResourceId', extensions.topLevelResourceId],
    ['data.reloadId', data.reloadId],
    ['data.status', data.status],
  ]
    .filter(([, value]) => !isNonEmptyString(value))
    .map(([name]) => name);
  if (missing.length > 0) {
    return problem('malformed', `reload event on ${topic} lacks ${missing.join(', ')}`);
  }
  const tenantId = extensions.tenantId as string;
  if (tenantId !== rules.tenantId) {
    return problem('foreign-tenant', `event of tenant ${tenantId} on ${topic}`);
  }
  const status = data.status as string;
  const size = isObject(data.size) ? data.size : {};
  return {
    ok: true,
    data: {
      eventId: parsed.eventId as string,
      topic,
      eventTime: stringOr(parsed.eventTime),
      tenantId,
      appId: extensions.topLevelResourceId as string,
      appName: stringOr(data.name),
      reloadId: data.reloadId as string,
      status,
      failed: status === 'error',
      ownerId: stringOr(extensions.ownerId),
      userId: stringOr(extensions.userId),
      ...optional('duration', data.duration),
      ...optional('errors', data.errors),
      ...optional('warnings', data.warnings),
      ...optional('isPartialReload', booleanOr(data.isPartialReload)),
      ...optional('endedWithMemoryConstraint', booleanOr(data.endedWithMemoryConstraint)),
      ...optional('peakMemoryBytes', numberOr(data.peakMemoryBytes)),
      ...optional('sizeMemory', numberOr(size.memory)),
    },
  };
}

function problem(reason: AppReloadParseProblemReason, detail: string): AppReloadParseResult {
  return { ok: false, reason, detail };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function booleanOr(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `{ key: value }`, or nothing when the value is absent, so no key holds `undefined`. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
