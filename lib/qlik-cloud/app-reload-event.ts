import type { RelayEvent } from '../events.js';
import type { CloudApp, CloudReload } from './qlik-cloud-api.js';

/** The one Qlik Cloud event type the relay handles. */
export const APP_RELOAD_FINISHED = 'com.qlik.v1.app.reload.finished';

/**
 * What the relay keeps of a `com.qlik.v1.app.reload.finished` event as the HTTP-to-MQTT gateway
 * forwards it. The envelope's ids are checked; the reload's figures are passed along as sent,
 * since their inner shapes (`errors`, `usage`, the type of `duration`) are not pinned down.
 */
export interface CloudAppReloadData {
  /** The Cloud event's own id: the same event forwarded twice carries the same one. */
  readonly eventId: string;
  /** The MQTT topic it arrived on. */
  readonly topic: string;
  /** `eventTime`, e.g. `2024-10-14T11:31:39Z`; '' when absent. */
  readonly eventTime: string;
  readonly tenantId: string;
  /** `extensions.topLevelResourceId`. */
  readonly appId: string;
  /** `data.name`; '' when absent. */
  readonly appName: string;
  readonly reloadId: string;
  /** `data.status`: `ok` or `error` as Qlik sends them. */
  readonly status: string;
  /** `status === 'error'`, the only outcome Butler acts on. */
  readonly failed: boolean;
  /** `extensions.ownerId` / `userId`; '' when absent. */
  readonly ownerId: string;
  readonly userId: string;
  readonly duration?: unknown;
  readonly errors?: unknown;
  readonly warnings?: unknown;
  readonly isPartialReload?: boolean;
  readonly endedWithMemoryConstraint?: boolean;
  readonly peakMemoryBytes?: number;
  /** `data.size.memory`. */
  readonly sizeMemory?: number;
}

/** A reload-finished event of the configured tenant. Its `id` is the Cloud event id. */
export type CloudAppReloadEvent = RelayEvent<'cloud.app-reload', CloudAppReloadData>;

/** Whether the REST look-ups for an event worked, and if not, where and why. */
export type CloudEnrichment =
  | { readonly status: 'complete' }
  /** No look-ups: `Butler.qlikSenseCloud.enable` is off, or no tenant URL / API key is set. */
  | { readonly status: 'off' }
  | {
      readonly status: 'failed';
      readonly step: CloudEnrichmentStep;
      /** Every failed step's reason, joined with `; `. */
      readonly reason: string;
    };

export type CloudEnrichmentStep = 'app' | 'reload' | 'scriptLog';

export interface EnrichedCloudAppReloadData extends CloudAppReloadData {
  readonly enrichment: CloudEnrichment;
  readonly app?: CloudApp;
  readonly reload?: CloudReload;
  /** The last lines of the script log, oldest first. */
  readonly scriptLogTail?: readonly string[];
}

export type EnrichedCloudAppReloadEvent = RelayEvent<
  'cloud.app-reload',
  EnrichedCloudAppReloadData
>;
