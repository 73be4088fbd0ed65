import type { ServiceProbe } from './service-probe.js';

/** One service of `Butler.serviceMonitor.monitor`, with the probe that reads its host. */
export interface MonitoredService {
  /** The host as written in the config; it is part of the topic. */
  readonly host: string;
  /** The service (or unit) name as written in the config; it is part of the topic. */
  readonly name: string;
  readonly friendlyName: string;
  readonly probe: ServiceProbe;
}
