import type { ServiceStatus } from './track-service-status.js';

export interface ServicePayloadOptions {
  /** Append `relay_serviceState` and, for UNKNOWN, `relay_error`. */
  readonly relayFields: boolean;
}

/**
 * The stopped message, keys in Butler's order (facts 6.5): friendly name before display name,
 * then the previous state and `serviceStatusChanged`.
 */
export function stoppedPayload(service: ServiceStatus, options: ServicePayloadOptions): string {
  return JSON.stringify({
    serviceHost: service.host,
    serviceName: service.name,
    serviceFriendlyName: service.friendlyName,
    serviceDisplayName: service.details.displayName,
    ...detailsOf(service),
    serviceStatus: service.status,
    servicePrevStatus: service.previous,
    serviceStatusChanged: true,
    ...relayFields(service, options),
  });
}

/** The running message: display name before friendly name, as Butler writes it. */
export function runningPayload(service: ServiceStatus, options: ServicePayloadOptions): string {
  return JSON.stringify({
    ...leadingKeys(service),
    serviceStatus: service.status,
    servicePrevStatus: service.previous,
    serviceStatusChanged: true,
    ...relayFields(service, options),
  });
}

/** The status message: the running message's first eight keys, sent at every check. */
export function statusPayload(service: ServiceStatus, options: ServicePayloadOptions): string {
  return JSON.stringify({
    ...leadingKeys(service),
    serviceStatus: service.status,
    ...relayFields(service, options),
  });
}

function leadingKeys(service: ServiceStatus): Record<string, unknown> {
  return {
    serviceHost: service.host,
    serviceName: service.name,
    serviceDisplayName: service.details.displayName,
    serviceFriendlyName: service.friendlyName,
    ...detailsOf(service),
  };
}

function detailsOf(service: ServiceStatus): Record<string, unknown> {
  return {
    serviceDependencies: service.details.dependencies,
    serviceStartType: service.details.startType,
    serviceExePath: service.details.exePath,
  };
}

function relayFields(
  service: ServiceStatus,
  options: ServicePayloadOptions,
): Record<string, unknown> {
  if (!options.relayFields) return {};
  return {
    relay_serviceState: service.state,
    ...(service.error === undefined ? {} : { relay_error: service.error }),
  };
}
