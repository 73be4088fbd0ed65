import type { RelayConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { QrsClient } from './qrs-client.js';
import type { RepositoryService } from './repository-service.js';
import { unavailableRepository } from './unavailable-repository.js';

/**
 * The Repository Service client described by `Butler.configQRS`, `Butler.cert` and `Relay.qrs`.
 * Without all three certificate files, or with one that cannot be read, the relay still runs:
 * calls fail and are reported, and task alerts go out marked as not enriched. The problem is
 * logged once at start-up, since it is almost always a setup mistake.
 */
export function repositoryFromConfig(
  config: RelayConfig,
  log: Logger,
  metrics: RelayMetrics,
): RepositoryService & { close(): void } {
  const qrs = config.Butler.configQRS;
  const cert = config.Butler.cert;
  const haveCertificates = Boolean(cert.clientCert && cert.clientCertKey && cert.clientCertCA);
  const qrsLog = log.child({ component: 'qrs' });
  if (qrs.useSSL && !haveCertificates) {
    qrsLog.warn(
      { event: 'qrs.no-certificates' },
      'Butler.cert.clientCert, clientCertKey and clientCertCA are not all set: the Repository Service will refuse the relay, and task alerts go out without metadata',
    );
  }
  try {
    return createClient();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    qrsLog.error(
      { event: 'qrs.certificates-unreadable', err: error },
      `${reason}; check Butler.cert.*. Task alerts go out without Repository Service metadata`,
    );
    return unavailableRepository(reason);
  }

  function createClient(): RepositoryService & { close(): void } {
    return new QrsClient({
      host: qrs.host,
      port: qrs.port,
      useSSL: qrs.useSSL,
      rejectUnauthorized: qrs.rejectUnauthorized,
      headers: qrs.headers.static,
      ...(qrs.useSSL && haveCertificates
        ? { certFiles: { cert: cert.clientCert, key: cert.clientCertKey, ca: cert.clientCertCA } }
        : {}),
      timeoutMs: config.Relay.qrs.timeoutMs,
      maxConcurrent: config.Relay.qrs.maxConcurrent,
      retries: { attempts: config.Relay.qrs.attempts, initialDelayMs: 200, maxDelayMs: 5000 },
      cacheTtlMs: config.Relay.qrs.cacheTtlMs,
      log: qrsLog,
      metrics,
    });
  }
}
