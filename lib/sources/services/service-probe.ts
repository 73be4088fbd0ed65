import type { ServiceReading } from './service-reading.js';

/** The probes a host can be watched with; each lives in probes/<kind>.ts. */
export const PROBE_KINDS = ['windows-sc', 'systemd', 'command'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/**
 * Reads the state of services on a host. Every implementation passes the contract suite in
 * spec/services/probe-contract.ts.
 */
export interface ServiceProbe {
  readonly kind: ProbeKind;
  /**
   * Resolves with the state of `service` on `host`; rejects with an Error saying why when it
   * cannot be read (no such service, host unreachable, output not understood). When `signal`
   * aborts, the work is cancelled (a child process is killed) and the promise rejects.
   */
  read(host: string, service: string, signal: AbortSignal): Promise<ServiceReading>;
  /** The names of the services installed on `host`, for probes that can list them. */
  list?(host: string, signal: AbortSignal): Promise<readonly string[]>;
}
