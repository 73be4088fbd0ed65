/**
 * The public API of sense-mqtt-relay: what an extension (a pipeline module, an embedding
 * application) may use. The built-in pipelines in pipelines/ use nothing else.
 */

// The envelope and the message types at the edges.
export * from './events.js';
export type * from './qlik/log-appender-events.js';
export type * from './qlik/proxy-session-events.js';
export { isProxySessionEvent } from './qlik/proxy-session-events.js';

// Configuration.
export { loadConfig, ConfigError, maskConfig } from './config/index.js';
export { topicMatchesFilter, isValidTopicName, isValidTopicFilter } from './mqtt/topics.js';
export { topicLevelOf } from './mqtt/topic-level.js';
export type {
  LoadedConfig,
  LoadConfigOptions,
  ConfigProblem,
  RelayConfig,
} from './config/index.js';

// Logging and metrics.
export {
  createLogger,
  silentLogger,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from './log/logger.js';
export { RelayMetrics } from './metrics/relay-metrics.js';
export {
  ThrottledDropReporter,
  type Drop,
  type DropLines,
  type DropReporterOptions,
} from './metrics/throttled-drop-reporter.js';

// Pipelines: the model, the catalog of named sources and steps, the runtime.
export {
  definePipeline,
  PipelineDefinitionError,
  type Pipeline,
  type PipelineContext,
  type SourceSpec,
  type SourceFactory,
  type StepFactory,
  type MessageSink,
  type SubscribableBroker,
  type IncomingMqttMessage,
} from './pipeline/pipeline.js';
export { Catalog, builtinCatalog } from './pipeline/catalog.js';
export {
  compileYamlPipelines,
  PipelineDefinitionErrors,
} from './pipeline/compile-yaml-pipelines.js';
export { runPipeline, type RunningPipeline } from './pipeline/run-pipeline.js';
export { compileTemplate, type Template } from './pipeline/template.js';
export { parseDuration } from './pipeline/duration.js';

// Operators.
export { filterEvents } from './operators/filter-events.js';
export { compileMatch, type EventMatch } from './operators/event-match.js';
export { toMessages, type Route } from './operators/to-messages.js';
export { dedupeBy, type DedupeOptions } from './operators/dedupe-by.js';
export { DedupeCache } from './operators/dedupe-cache.js';
export { mergeMapBounded, type BoundedMergeOptions } from './operators/merge-map-bounded.js';
export {
  admitDatagrams,
  type AdmitDatagramsOptions,
  type AdmitDatagramsDeps,
} from './operators/admit-datagrams.js';
export type { HostResolver } from './operators/allowed-sources.js';
export { parseLogAppender, type ParseLogAppenderDeps } from './operators/parse-log-appender.js';
export { parseDatagrams, type ParseDatagramsDeps } from './operators/parse-datagrams.js';
export type {
  DatagramParser,
  DatagramParseResult,
  ParseProblem,
  ParseProblemReason,
} from './qlik/datagram-parse-result.js';
export { parseProxySessionDatagram } from './qlik/parse-proxy-session-datagram.js';
export { listenerStateMessages } from './operators/listener-state-messages.js';
export {
  ActiveUserSessions,
  userKeyOf,
  NOBODY,
  type ActiveUser,
  type ActiveUsers,
  type ExpiredUser,
  type IdleLimits,
  type SessionActivity,
  type SessionStep,
  type TrackingLimits,
  type TrackingRefusal,
  type UserOnServer,
} from './operators/active-user-sessions.js';
export {
  withinTrackingLimits,
  type TrackingLimitDeps,
} from './operators/within-tracking-limits.js';
export {
  trackActiveUsers,
  type ActiveUsersUpdate,
  type TrackActiveUsersOptions,
} from './operators/track-active-users.js';
export {
  toActiveUserMessages,
  usernamesPayload,
  type ActiveUserMessageOptions,
} from './operators/to-active-user-messages.js';
export {
  toSessionMessages,
  butlerSessionPayload,
  type SessionMessageOptions,
} from './operators/to-session-messages.js';
export {
  enrichTask,
  taskEnricher,
  type EnrichTaskOptions,
  type TaskMetadataLookup,
  type TaskMetadataService,
} from './operators/enrich-task.js';
export {
  taskMessages,
  toTaskMessages,
  type TaskMessageOptions,
} from './operators/to-task-messages.js';
export {
  buildFullTaskPayload,
  type FullTaskPayloadOptions,
  type TaskMessageKind,
} from './operators/full-task-payload.js';
export { formatSender } from './operators/format-sender.js';
export {
  pollWithoutOverlap,
  type PollWithoutOverlapOptions,
} from './operators/poll-without-overlap.js';
export {
  trackServiceStatus,
  type ServiceStatus,
  type ServiceStatusEvent,
  type ServiceDetails,
  type ButlerMachineState,
} from './operators/track-service-status.js';
export {
  stoppedPayload,
  runningPayload,
  statusPayload,
  type ServicePayloadOptions,
} from './operators/service-payloads.js';
export { toServiceMessages, type ServiceMessageOptions } from './operators/to-service-messages.js';
export { toLicenseMessages, type LicenseMessageOptions } from './operators/to-license-messages.js';
export {
  parseStartTaskPayload,
  isTaskUuid,
  MAX_TASKS_PER_COMMAND,
  type StartTaskPayload,
  type StartTaskPayloadOptions,
} from './operators/start-task-payload.js';
export {
  taskAllowListFrom,
  allowsById,
  allowsByMetadata,
  needsTaskMetadata,
  type TaskAllowList,
} from './operators/task-allow-list.js';
export {
  startTaskUntilAnswered,
  type StartTaskUntilAnsweredOptions,
  type TaskStartOutcome,
} from './operators/start-task-until-answered.js';
export {
  enrichCloudReload,
  type EnrichCloudReloadOptions,
} from './operators/enrich-cloud-reload.js';
export {
  buildCloudReloadPayload,
  type CloudReloadPayloadOptions,
} from './operators/cloud-reload-payload.js';
export {
  toCloudReloadMessages,
  type CloudReloadMessageOptions,
} from './operators/to-cloud-reload-messages.js';

// Sources.
export { timerSource, type TimerTick, type TimerTickEvent } from './sources/timer.js';
export {
  mqttTopicSource,
  type MqttMessageData,
  type MqttMessageEvent,
} from './sources/mqtt-topic.js';
export {
  udpSource,
  isDatagramEvent,
  type UdpSourceOptions,
  type UdpSourceDeps,
  type UdpSourceEvent,
  type UdpListeningEvent,
  type UdpListeningData,
  type UdpErrorEvent,
  type UdpErrorData,
} from './sources/udp.js';
export { logAppenderSource, type LogAppenderSourceEvent } from './sources/log-appender.js';
export {
  proxyLogAppenderSource,
  type ProxyLogAppenderSourceEvent,
} from './sources/proxy-log-appender.js';
export { parseTextSchedule, scheduleAt } from './sources/text-schedule.js';
export { cloudAppReloadSource, CLOUD_RELOAD_COMPONENT } from './sources/cloud-app-reload.js';

// Service states: the probe contract, the probes, and one round of checks.
export {
  SERVICE_STATES,
  isServiceState,
  butlerStatusOf,
  type ServiceState,
  type ServiceReading,
  type ButlerServiceStatus,
} from './sources/services/service-reading.js';
export {
  PROBE_KINDS,
  type ProbeKind,
  type ServiceProbe,
} from './sources/services/service-probe.js';
export type { MonitoredService } from './sources/services/monitored-service.js';
export { runCommand, type RunCommand, type CommandResult } from './sources/services/run-command.js';
export {
  windowsScProbe,
  type WindowsScProbeOptions,
} from './sources/services/probes/windows-sc.js';
export { systemdProbe, type SystemdProbeOptions } from './sources/services/probes/systemd.js';
export { commandProbe, type CommandProbeOptions } from './sources/services/probes/command.js';
export {
  servicesFromConfig,
  defaultProbeFactory,
  type ProbeFactory,
  type ServicesFromConfigOptions,
} from './sources/services/services-from-config.js';
export {
  checkServices,
  type ServiceCheck,
  type ServiceCheckedEvent,
  type CheckServicesOptions,
} from './sources/services/check-services.js';
export {
  findMissingServices,
  type HostInventory,
} from './sources/services/find-missing-services.js';

// The Repository Service.
export type { RepositoryService, StartTaskResult, QrsEndpoint } from './qrs/repository-service.js';
export { QrsClient, type QrsClientOptions, type QrsRetryOptions } from './qrs/qrs-client.js';
export type { ClientCertificateFiles } from './qrs/client-certificates.js';
export type { HeaderPair } from './qrs/qrs-transport.js';
export { QrsError, type QrsErrorKind } from './qrs/qrs-error.js';
export {
  licenseStatusOf,
  type LicenseStatus,
  type LicenseStatusEvent,
} from './qrs/license-status.js';
export type * from './qrs/qrs-types.js';
export type * from './qrs/enriched-task-event.js';

// Qlik Cloud: reload events and the REST API.
export type * from './qlik-cloud/app-reload-event.js';
export { APP_RELOAD_FINISHED } from './qlik-cloud/app-reload-event.js';
export {
  parseAppReload,
  type AppReloadRules,
  type AppReloadParseResult,
  type AppReloadParseProblemReason,
} from './qlik-cloud/parse-app-reload.js';
export type {
  QlikCloudApi,
  CloudApp,
  CloudReload,
  CloudEndpoint,
} from './qlik-cloud/qlik-cloud-api.js';
export { QlikCloudClient, type QlikCloudClientOptions } from './qlik-cloud/qlik-cloud-client.js';
export { QlikCloudApiError, type QlikCloudErrorKind } from './qlik-cloud/qlik-cloud-error.js';
export {
  cloudApiFromConfig,
  unavailableCloudApi,
  type ClosableCloudApi,
} from './qlik-cloud/cloud-api-from-config.js';

// Actors.
export { Actor, type ActorOptions, type ActorStatus } from './actors/actor.js';
export type { BoundedQueueOptions, OverflowPolicy } from './actors/bounded-queue.js';
export { backoffDelay, type BackoffOptions } from './actors/backoff.js';

// The outbox: where accepted messages wait for the broker's acknowledgement.
export { Outbox, type OutboxOptions } from './outbox/outbox.js';
export {
  OutboxError,
  type OutboxStore,
  type OutboxRecord,
  type OutboxContents,
  type CorruptRecord,
} from './outbox/outbox-store.js';
export { MemoryOutboxStore } from './outbox/memory-outbox-store.js';
export {
  LevelOutboxStore,
  type LevelOutboxStoreOptions,
  type FsyncPolicy,
} from './outbox/level-outbox-store.js';
export type { Acceptance } from './sinks/mqtt-publisher.js';

// The relay as a whole.
export { startRelay, type Relay, type StartRelayOptions } from './relay.js';
export type { HealthReport, BrokerHealth, PipelineHealth } from './http/health.js';
