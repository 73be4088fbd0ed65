import { Subject } from 'rxjs';
import { builtinPipelines } from '../pipelines/index.js';
import type { RelayConfig } from './config/types.js';
import { assessHealth, type HealthReport } from './http/health.js';
import { startOpsServer, type OpsServer } from './http/ops-server.js';
import { configuredSecrets } from './http/status-page/configured-secrets.js';
import { RecentActivity } from './http/status-page/recent-activity.js';
import {
  recordAcceptedMessages,
  recordPipelineActivity,
} from './http/status-page/record-activity.js';
import { statusReader, type StatusReader } from './http/status-page/status-snapshot.js';
import { restPublishEnabled, startRestApi } from './http/rest-api.js';
import type { RestServer } from './http/rest-server.js';
import { packageVersion } from './cli/package-root.js';
import { silentLogger, type Logger } from './log/logger.js';
import { RelayMetrics } from './metrics/relay-metrics.js';
import { openBrokers, type Brokers } from './mqtt/open-brokers.js';
import { builtinCatalog, type Catalog } from './pipeline/catalog.js';
import { compileYamlPipelines } from './pipeline/compile-yaml-pipelines.js';
import { loadPipelineModules } from './pipeline/load-pipeline-modules.js';
import type { Pipeline, PipelineContext } from './pipeline/pipeline.js';
import { runPipeline, type RunningPipeline } from './pipeline/run-pipeline.js';
import { SourceHub } from './pipeline/source-hub.js';
import { repositoryFromConfig } from './qrs/repository-from-config.js';
import type { RepositoryService } from './qrs/repository-service.js';
import { Outbox } from './outbox/outbox.js';
import { outboxStoreFromConfig } from './outbox/outbox-from-config.js';
import type { OutboxStore } from './outbox/outbox-store.js';
import { MqttSink } from './sinks/mqtt-sink.js';

export interface StartRelayOptions {
  config: RelayConfig;
  log?: Logger;
  /** Pipelines written in TypeScript by an embedding application, run beside the configured ones. */
  pipelines?: readonly Pipeline[];
  /** A catalog with the embedding application's own sources and steps; defaults to the built-ins. */
  catalog?: Catalog;
  /** The Repository Service adapter; defaults to the HTTPS client that `Butler.configQRS` describes. */
  repository?: RepositoryService;
  /** Where accepted messages wait for the broker; defaults to the store `Relay.outbox` names. */
  outboxStore?: OutboxStore;
}

export interface Relay {
  readonly metrics: RelayMetrics;
  readonly pipelines: readonly RunningPipeline[];
  readonly brokers: Brokers;
  /** The port the operations endpoint listens on, when enabled. */
  readonly httpPort: number | undefined;
  /** The port the REST API listens on, when its publish endpoint is enabled. */
  readonly restPort: number | undefined;
  health(): HealthReport;
  /**
   * Stops the sources, lets the pipelines finish and the publishers drain within
   * `Relay.shutdown.drainTimeoutMs`, then closes the connections.
   */
  stop(): Promise<void>;
}

/**
 * Starts a relay from a loaded config: broker connections, publishers, every pipeline (built-in,
 * user modules, YAML, embedded) and the operations endpoint. Throws when a pipeline or broker
 * cannot be set up, having closed what it opened.
 */
export async function startRelay(options: StartRelayOptions): Promise<Relay> {
  const { config } = options;
  const startedAt = Date.now();
  const log = options.log ?? silentLogger();
  const metrics = new RelayMetrics().withProcessMetrics();
  const catalog = options.catalog ?? builtinCatalog();
  const stopping = new Subject<void>();

  // Opened first: a locked or unwritable outbox stops the start before anything connects.
  const outbox = new Outbox({
    store: options.outboxStore ?? outboxStoreFromConfig(config.Relay.outbox),
    maxAgeSeconds: config.Relay.outbox.maxAgeSeconds,
    log,
    metrics,
  });
  const leftOver = await outbox.open();
  let pipelines: Pipeline[];
  let brokers: Brokers;
  try {
    // Every pipeline is loaded before a broker connects, and runs with no wait after: a persistent
    // session's queued messages (start commands) come right after the connection is made, and must
    // find their subscriptions there, or MQTT.js would acknowledge them to nobody.
    pipelines = [
      ...builtinPipelines(config),
      ...(config.Relay.pipelineModules
        ? await loadPipelineModules(config.Relay.pipelineModules, catalog)
        : []),
      ...compileYamlPipelines(config.Relay.pipelines, catalog),
      ...(options.pipelines ?? []),
    ];
    brokers = await openBrokers(config, log, metrics);
  } catch (error) {
    await outbox.close();
    throw error;
  }
  const ownRepository = options.repository ? undefined : repositoryFromConfig(config, log, metrics);
  const repository = options.repository ?? (ownRepository as RepositoryService);
  const sink = new MqttSink({
    connections: brokers.connections,
    options: config.Relay.publish,
    outbox,
    log: log.child({ component: 'publisher' }),
    metrics,
  });
  if (brokers.connections.size === 0) {
    log.warn(
      { event: 'mqtt.disabled' },
      'Butler.mqttConfig.enable is false: pipelines run, but nothing is published',
    );
  }

  sink.restore(leftOver); // before any pipeline runs: what was left goes out first

  const hub = new SourceHub(catalog);
  const context: PipelineContext = {
    config,
    log: log.child({ component: 'pipeline' }),
    metrics,
    repository,
    brokers: brokers.connections,
    stopping$: stopping.asObservable(),
    source: (spec) => hub.get(spec, context),
  };
  const running: RunningPipeline[] = [];
  // The status page's last events: recorded only when the operations endpoint can show them.
  const observed = config.Relay.http.enable;
  const recent = new RecentActivity();
  let status: StatusReader | undefined;
  let ops: OpsServer | undefined;
  let rest: RestServer | undefined;
  try {
    for (const pipeline of pipelines) {
      const io = observed
        ? recordPipelineActivity(context, sink, recent.recorder(pipeline.name))
        : { context, sink };
      running.push(runPipeline(pipeline, io.context, io.sink));
    }
    if (config.Relay.http.enable) {
      status = statusReader({
        version: packageVersion(),
        startedAt,
        healthy: () => health().healthy,
        brokers: brokers.connections,
        pipelines: running,
        publishers: () => sink.publishers().map((publisher) => publisher.status()),
        outbox,
        metrics,
        recent,
        secrets: configuredSecrets(config),
      });
      ops = await startOpsServer({
        host: config.Relay.http.host,
        port: config.Relay.http.port,
        metrics,
        health,
        status: status.read,
        log: log.child({ component: 'http' }),
      });
    }
    // After the pipelines, so what was left in the outbox is queued before anything new.
    if (restPublishEnabled(config)) {
      rest = await startRestApi(config, {
        sink: observed ? recordAcceptedMessages(sink, recent.recorder('rest')) : sink,
        broker: brokers.connections.get('main'),
        durableOutbox: outbox.durable,
        metrics,
        log: log.child({ component: 'rest' }),
      });
    }
  } catch (error) {
    await ops?.close();
    status?.stop();
    for (const started of running) started.stop();
    sink.stop();
    ownRepository?.close();
    await brokers.close(1000);
    await outbox.close();
    throw error;
  }

  function health(): HealthReport {
    return assessHealth(
      Object.fromEntries(
        [...brokers.connections].map(([name, c]) => [name, { connected: c.connected }]),
      ),
      Object.fromEntries(running.map((p) => [p.name, { running: p.running }])),
    );
  }

  log.info(
    {
      event: 'relay.started',
      pipelines: running.map((p) => p.name),
      brokers: [...brokers.connections.keys()],
    },
    `relay started with ${running.length} pipeline(s)`,
  );

  return {
    metrics,
    pipelines: running,
    brokers,
    httpPort: ops?.port,
    restPort: rest?.port,
    health,
    async stop() {
      const deadline = Date.now() + config.Relay.shutdown.drainTimeoutMs;
      const remaining = (): number => Math.max(0, deadline - Date.now());
      // First, so that every request in progress is answered while the publishers still run.
      await rest?.close();
      stopping.next();
      stopping.complete();
      const ended = await Promise.race([
        Promise.all(running.map((p) => p.finished)).then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), remaining()).unref()),
      ]);
      for (const pipeline of running) pipeline.stop();
      const drained = ended && (await sink.drain(remaining()));
      if (!drained) {
        log.warn(
          { event: 'relay.drain-timeout', drainTimeoutMs: config.Relay.shutdown.drainTimeoutMs },
          'work was still in flight at the shutdown deadline; what is left is dropped and counted',
        );
      }
      // Closing the connections waits for outstanding acknowledgements; only then give up the rest.
      await brokers.close(Math.max(1000, remaining()));
      sink.stop();
      await outbox.close();
      ownRepository?.close();
      await ops?.close();
      status?.stop();
      log.info({ event: 'relay.stopped' }, 'relay stopped');
    },
  };
}
