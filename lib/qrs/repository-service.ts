import type { QrsAppFull, QrsLicense, QrsTask, QrsTaskFull } from './qrs-types.js';

/** The Repository Service endpoints the relay calls, named by their path templates. */
export type QrsEndpoint =
  '/qrs/task' | '/qrs/task/full' | '/qrs/app/full' | '/qrs/task/{id}/start' | '/qrs/license';

export type StartTaskResult =
  | { readonly started: true }
  | { readonly started: false; readonly status?: number; readonly reason: string };

/**
 * What the relay needs from the Qlik Sense Repository Service. `QrsClient` talks to a real one;
 * tests and embedders can hand in any other implementation.
 *
 * Lookups resolve `undefined` when nothing (or, for the full lookups, not exactly one object)
 * matches, and reject with a `QrsError` when the service could not answer.
 */
export interface RepositoryService {
  getTask(id: string): Promise<QrsTask | undefined>;
  getTaskFull(id: string): Promise<QrsTaskFull | undefined>;
  getAppFull(id: string): Promise<QrsAppFull | undefined>;
  /** Never rejects: a start that did not happen is reported in the result. */
  startTask(id: string): Promise<StartTaskResult>;
  getLicense(): Promise<QrsLicense>;
}
