import { readFileSync } from 'node:fs';
import type { RelayConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import type { QlikCloudApi } from './qlik-cloud-api.js';
import { QlikCloudClient } from './qlik-cloud-client.js';

export type ClosableCloudApi = QlikCloudApi & { close(): void };

const TENANT = 'Butler.qlikSenseCloud.event.mqtt.tenant';

/**
 * The Qlik Cloud REST client that `Butler.qlikSenseCloud` and `Relay.cloudEvents.api` describe, or
 * `undefined` when enrichment is off (`Butler.qlikSenseCloud.enable` false, Butler's switch for the
 * REST calls). A tenant URL, API key or CA file that cannot work does not stop the relay: it is
 * logged once here, every call fails with that reason, and the events go out marked as not
 * enriched, saying why.
 */
export function cloudApiFromConfig(
  config: RelayConfig,
  log: Logger,
  metrics: RelayMetrics,
): ClosableCloudApi | undefined {
  const cloud = config.Butler.qlikSenseCloud;
  if (!cloud.enable) return undefined;
  const tenant = cloud.event.mqtt.tenant;
  const api = config.Relay.cloudEvents.api;
  const cloudLog = log.child({ component: 'qlik-cloud' });
  try {
    return new QlikCloudClient({
      tenantUrl: httpsUrl(tenant.tenantUrl),
      apiKey: apiKey(tenant.auth.jwt.token),
      timeoutMs: api.timeoutMs,
      maxConcurrent: api.maxConcurrent,
      attempts: api.attempts,
      cacheTtlMs: api.cacheTtlMs,
      ...(api.ca ? { ca: readCa(api.ca) } : {}),
      rejectUnauthorized: api.rejectUnauthorized,
      log: cloudLog,
      metrics,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    cloudLog.error(
      { event: 'qlik-cloud.unusable', err: error },
      `${reason}; Qlik Cloud reload events go out without REST API data`,
    );
    return unavailableCloudApi(reason);
  }
}

/** Every call fails with `reason`. */
export function unavailableCloudApi(reason: string): ClosableCloudApi {
  const fail = (): Promise<never> => Promise.reject(new Error(reason));
  return { getApp: fail, getReload: fail, getScriptLog: fail, close: () => undefined };
}

/** The API key travels in a header: never to a plain-HTTP address. */
function httpsUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') {
    throw new Error(
      `${TENANT}.tenantUrl is ${JSON.stringify(text)}; expected https://<tenant>.<region>.qlikcloud.com`,
    );
  }
  return url.href;
}

function apiKey(token: string): string {
  if (token.trim() === '') throw new Error(`${TENANT}.auth.jwt.token (the API key) is empty`);
  return token.trim();
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`Relay.cloudEvents.api.ca: cannot read "${path}": ${(error as Error).message}`);
  }
}
