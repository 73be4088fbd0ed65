import type { RepositoryService } from './repository-service.js';

/**
 * Stands in for a Repository Service the relay cannot talk to at all (its certificate files
 * cannot be read): every call fails with the same reason, so task alerts still go out, marked as
 * not enriched and saying why, instead of the whole relay refusing to run.
 */
export function unavailableRepository(reason: string): RepositoryService & { close(): void } {
  const fail = (): Promise<never> => Promise.reject(new Error(reason));
  return {
    getTask: fail,
    getTaskFull: fail,
    getAppFull: fail,
    getLicense: fail,
    startTask: () => Promise.resolve({ started: false, reason }),
    close: () => undefined,
  };
}
