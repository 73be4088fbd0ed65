import { Subject } from 'rxjs';
import { loadConfig, type RelayConfig } from '../../lib/config/index.js';
import { silentLogger } from '../../lib/log/logger.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { builtinCatalog, type Catalog } from '../../lib/pipeline/catalog.js';
import type { PipelineContext } from '../../lib/pipeline/pipeline.js';
import { SourceHub } from '../../lib/pipeline/source-hub.js';
import type { RepositoryService } from '../../lib/qrs/repository-service.js';

/** A Repository Service for tests that need none: every call fails as an unreachable one would. */
export const unreachableRepository: RepositoryService = {
  getTask: () => Promise.reject(new Error('no Repository Service in this test')),
  getTaskFull: () => Promise.reject(new Error('no Repository Service in this test')),
  getAppFull: () => Promise.reject(new Error('no Repository Service in this test')),
  getLicense: () => Promise.reject(new Error('no Repository Service in this test')),
  startTask: () =>
    Promise.resolve({ started: false, reason: 'no Repository Service in this test' }),
};

export interface TestContext {
  context: PipelineContext;
  metrics: RelayMetrics;
  /** Emit to begin the graceful end of every source built from this context. */
  stopping: Subject<void>;
}

/** A pipeline context with the default config, a fresh metrics registry and no network peers. */
export function testContext(
  options: { config?: RelayConfig; catalog?: Catalog; repository?: RepositoryService } = {},
): TestContext {
  const stopping = new Subject<void>();
  const metrics = new RelayMetrics();
  const hub = new SourceHub(options.catalog ?? builtinCatalog());
  const context: PipelineContext = {
    config: options.config ?? loadConfig({ env: {} }).config,
    stopping$: stopping.asObservable(),
    log: silentLogger(),
    metrics,
    repository: options.repository ?? unreachableRepository,
    brokers: new Map(),
    source: (spec) => hub.get(spec, context),
  };
  return { context, metrics, stopping };
}
