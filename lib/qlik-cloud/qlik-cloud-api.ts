/** The Qlik Cloud REST endpoints the relay calls, named by their path templates. */
export type CloudEndpoint =
  | '/api/v1/apps/{appId}'
  | '/api/v1/reloads/{reloadId}'
  | '/api/v1/apps/{appId}/reloads/logs/{reloadId}';

/** The app attributes the relay passes on (`GET /api/v1/apps/{appId}` → `attributes`). */
export interface CloudApp {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly ownerId?: string;
  readonly spaceId?: string;
  readonly lastReloadTime?: string;
  readonly published?: boolean;
}

/** A reload record (`GET /api/v1/reloads/{reloadId}`), without its `log`. */
export interface CloudReload {
  readonly id: string;
  readonly appId?: string;
  /** How it was started (`hub`, `chronos`, `external`, …); Butler calls it the reload trigger. */
  readonly type?: string;
  /** `SUCCEEDED`, `FAILED`, … */
  readonly status?: string;
  readonly creationTime?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/**
 * What the relay needs from the Qlik Cloud REST API. `QlikCloudClient` talks to a tenant; tests
 * and embedders can hand in any other implementation. Look-ups resolve `undefined` when the
 * object does not exist (404) and reject with a `QlikCloudApiError` when the API could not answer.
 */
export interface QlikCloudApi {
  getApp(appId: string): Promise<CloudApp | undefined>;
  getReload(reloadId: string): Promise<CloudReload | undefined>;
  /** The script log as text. */
  getScriptLog(appId: string, reloadId: string): Promise<string | undefined>;
}
