import { randomUUID } from 'node:crypto';
import {
  EXAMPLE_APP_ID,
  EXAMPLE_OWNER_ID,
  EXAMPLE_RELOAD_ID,
  EXAMPLE_TENANT_ID,
} from './fake-qlik-cloud.js';

/** The topic the gateway publishes a tenant's reload events on (facts 9.1). */
export const exampleReloadTopic = (tenantId = EXAMPLE_TENANT_ID): string =>
  `qscloud/app/reload/${tenantId}`;

export interface ReloadEventOverrides {
  readonly eventId?: string;
  readonly eventType?: string;
  readonly tenantId?: string;
  readonly appId?: string;
  readonly reloadId?: string;
  readonly status?: string;
  readonly name?: string;
}

/**
 * A `com.qlik.v1.app.reload.finished` event as the gateway forwards it: the realistic example of
 * facts 9.5, with a fresh event id unless told otherwise.
 */
export function reloadEvent(overrides: ReloadEventOverrides = {}): Record<string, unknown> {
  return {
    cloudEventsVersion: '0.1',
    source: 'com.qlik/engine',
    contentType: 'application/json',
    eventId: overrides.eventId ?? randomUUID(),
    eventTime: '2024-10-14T11:31:39Z',
    eventTypeVersion: '1.0.0',
    eventType: overrides.eventType ?? 'com.qlik.v1.app.reload.finished',
    extensions: {
      ownerId: EXAMPLE_OWNER_ID,
      tenantId: overrides.tenantId ?? EXAMPLE_TENANT_ID,
      userId: EXAMPLE_OWNER_ID,
      topLevelResourceId: overrides.appId ?? EXAMPLE_APP_ID,
    },
    data: {
      name: overrides.name ?? 'Sales Cloud Dashboard',
      reloadId: overrides.reloadId ?? EXAMPLE_RELOAD_ID,
      status: overrides.status ?? 'error',
      duration: 'PT4.8S',
      endedWithMemoryConstraint: false,
      errors: [{ code: 'EngineReloadScriptError', message: 'error in app script or datasource' }],
      isDirectQueryMode: false,
      isPartialReload: false,
      isSessionApp: false,
      isSkipStore: false,
      peakMemoryBytes: 73400320,
      rowLimit: 0,
      statements: [],
      usage: {},
      warnings: [],
      size: { memory: 52428800 },
    },
  };
}

/** Re-serialised with 2-space indentation, as the gateway of facts 9.1 does. */
export function reloadEventText(overrides: ReloadEventOverrides = {}): string {
  return JSON.stringify(reloadEvent(overrides), null, 2);
}
