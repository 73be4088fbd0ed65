/**
 * The shape of a loaded configuration. `Butler` holds the keys of a Butler config file that the
 * relay reads (same names and types as Butler); `Relay` holds what the relay adds.
 * The convict schema in `schema.ts` is typed against these interfaces, so they cannot drift.
 */
import type { LogLevel } from '../log/logger.js';

export interface RelayConfig {
  Butler: ButlerConfig;
  Relay: RelayOptions;
}

// ---------------------------------------------------------------------------------------------
// Butler
// ---------------------------------------------------------------------------------------------

export interface ButlerConfig {
  mqttConfig: ButlerMqttConfig;
  udpServerConfig: ButlerUdpServerConfig;
  configQRS: ButlerQrsConfig;
  cert: ButlerCertConfig;
  serviceMonitor: ButlerServiceMonitorConfig;
  qlikSenseLicense: ButlerQlikSenseLicenseConfig;
  restServerConfig: ButlerRestServerConfig;
  restServerEndpointsEnable: ButlerRestServerEndpointsEnable;
  startTaskFilter: ButlerStartTaskFilter;
  qlikSenseCloud: ButlerQlikSenseCloudConfig;
}

export interface ButlerMqttConfig {
  enable: boolean;
  brokerHost: string;
  brokerPort: number;
  azureEventGrid: ButlerAzureEventGridConfig;
  taskFailureSendFull: boolean;
  taskAbortedSendFull: boolean;
  /** A topic filter (wildcards allowed); every other topic here is a plain topic name. */
  subscriptionRootTopic: string;
  taskStartTopic: string;
  taskFailureTopic: string;
  taskFailureFullTopic: string;
  taskFailureServerStatusTopic: string;
  taskAbortedTopic: string;
  taskAbortedFullTopic: string;
  serviceRunningTopic: string;
  serviceStoppedTopic: string;
  serviceStatusTopic: string;
  qlikSenseServerLicenseTopic: string;
  qlikSenseServerLicenseExpireTopic: string;
  /** Butler 6 session topics, used when `Relay.sessionEvents.enable` is on. */
  sessionStartTopic: string;
  sessionStopTopic: string;
  connectionOpenTopic: string;
  connectionCloseTopic: string;
  sessionServerStatusTopic: string;
  activeUserCountTopic: string;
  activeUsersTopic: string;
  qlikSenseCloud: ButlerCloudForwardConfig;
}

export interface ButlerAzureEventGridConfig {
  enable: boolean;
  clientId: string;
  /** Absolute after loading ('' = not set). */
  clientCertFile: string;
  /** Absolute after loading ('' = not set). */
  clientKeyFile: string;
}

export interface ButlerCloudForwardConfig {
  event: {
    mqttForward: {
      enable: boolean;
      broker: { host: string; port: number; username: string; password: string };
      /** `subscriptionRoot` is a topic filter; `appReload` is a topic prefix. */
      topic: { subscriptionRoot: string; appReload: string };
    };
  };
}

export interface ButlerUdpServerConfig {
  enable: boolean;
  serverHost: string;
  portTaskFailure: number;
  /** Butler 6's port for proxy session events; listened on when `Relay.sessionEvents.enable`. */
  portSessionConnectionEvents: number;
  maxMessageSize: number;
  enableSourceValidation: boolean;
  allowedSources: string[];
  messageQueue: { maxConcurrent: number; maxSize: number; backpressureThreshold: number };
  rateLimit: { enable: boolean; maxMessagesPerMinute: number };
  deduplication: { enable: boolean; ttlMinutes: number };
  queueMetrics: {
    influxdb: {
      enable: boolean;
      writeFrequency: number;
      measurementName: string;
      tags: Record<string, unknown>[];
    };
  };
}

export interface NameValuePair {
  name: string;
  value: string;
}

export interface ButlerQrsConfig {
  authentication: string;
  host: string;
  port: number;
  useSSL: boolean;
  rejectUnauthorized: boolean;
  headers: { static: NameValuePair[] };
}

/** Paths are absolute after loading ('' = not set). */
export interface ButlerCertConfig {
  clientCert: string;
  clientCertKey: string;
  clientCertCA: string;
}

export interface ButlerServiceMonitorConfig {
  enable: boolean;
  /** A later.js text schedule such as `every 30 seconds`. */
  frequency: string;
  /** `null` when the YAML list is empty or commented out. */
  monitor: MonitoredHost[] | null;
  alertDestination: { mqtt: { enable: boolean } };
}

export interface MonitoredHost {
  host: string;
  services: MonitoredService[] | null;
}

export interface MonitoredService {
  /** The service name known to the service manager, e.g. `QlikSenseEngineService`. */
  name: string;
  /** Free text used in messages, e.g. `Engine`. */
  friendlyName: string;
}

export interface ButlerQlikSenseLicenseConfig {
  serverLicenseMonitor: {
    enable: boolean;
    /** A later.js text schedule such as `every 24 hours`. */
    frequency: string;
    alert: { thresholdDays: number };
    destination: {
      mqtt: {
        enable: boolean;
        sendRecurring: { enable: boolean };
        sendAlert: { enable: boolean };
      };
    };
  };
}

export interface ButlerRestServerConfig {
  enable: boolean;
  serverHost: string;
  serverPort: number;
  backgroundServerPort: number;
  /** Paths are absolute after loading ('' = not set); `ca` may be null as in Butler's template. */
  tls: { enable: boolean; cert: string; key: string; ca: string | null };
}

export interface ButlerRestServerEndpointsEnable {
  mqttPublishMessage: boolean;
}

/**
 * Butler's allow-list of startable tasks (`enable`, `allowTask.taskId/tag/customProperty`). Butler
 * applies it to its REST API only; the relay applies it to MQTT start commands, and reads it
 * (pipelines/start-task.ts) leniently, as Butler's files vary.
 */
export type ButlerStartTaskFilter = Record<string, unknown>;

export interface ButlerQlikSenseCloudConfig {
  enable: boolean;
  event: {
    mqtt: {
      tenant: {
        id: string;
        tenantUrl: string;
        authType: string;
        auth: { jwt: { token: string } };
        comment: string;
      };
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Relay
// ---------------------------------------------------------------------------------------------

export interface RelayOptions {
  log: RelayLogOptions;
  /** Additions for the main broker (`Butler.mqttConfig.brokerHost`/`brokerPort`). */
  mqtt: RelayMqttOptions;
  /** Additions for the Qlik Cloud forward broker. */
  cloudMqtt: RelayCloudMqttOptions;
  publish: RelayPublishOptions;
  udp: RelayUdpOptions;
  qrs: RelayQrsOptions;
  taskEvents: RelayTaskEventOptions;
  /** Proxy session and connection events, and the active users they give. */
  sessionEvents: RelaySessionEventOptions;
  /** Starting tasks from MQTT (`Butler.mqttConfig.taskStartTopic`): the relay's additions. */
  startTask: RelayStartTaskOptions;
  /** Qlik Cloud app reload events (from the forward broker) published to MQTT. */
  cloudEvents: RelayCloudEventOptions;
  serviceMonitor: RelayServiceMonitorOptions;
  http: RelayHttpOptions;
  /** Additions for the REST publish endpoint (`Butler.restServerConfig` says where it listens). */
  rest: RelayRestOptions;
  outbox: RelayOutboxOptions;
  shutdown: RelayShutdownOptions;
  /** Pipeline definitions from YAML; their content is validated by the pipeline module. */
  pipelines: PipelineDefinition[];
  /** Folder with the user's own pipeline modules (.js/.mjs); absolute after loading, '' = none. */
  pipelineModules: string;
}

export type PipelineDefinition = Record<string, unknown>;

/** Where accepted messages wait for the broker's acknowledgement. */
export interface RelayOutboxOptions {
  store: 'disk' | 'memory';
  /** Absolute after loading; '' = the platform's data folder for the relay. */
  directory: string;
  fsync: 'always' | 'interval';
  fsyncIntervalMs: number;
  /** 0 = no age limit. */
  maxAgeSeconds: number;
}

export interface RelayUdpOptions {
  /** Kernel receive buffer of every UDP listener, bytes; 0 = system default. */
  recvBufferSize: number;
}

/** Tuning of the Repository Service client (`Butler.configQRS` says where it is). */
export interface RelayQrsOptions {
  timeoutMs: number;
  maxConcurrent: number;
  /** Tries of an idempotent read, the first included. */
  attempts: number;
  cacheTtlMs: number;
}

export interface RelayTaskEventOptions {
  /** Only reload tasks produce failed/aborted messages (Butler's rule). */
  reloadTasksOnly: boolean;
  /** Append the relay's own fields (`relay_eventId`, `relay_enrichment`) to full messages. */
  relayFields: boolean;
}

/** The session listener and what the relay adds to Butler's session topics. */
export interface RelaySessionEventOptions {
  /** Listen on `Butler.udpServerConfig.portSessionConnectionEvents` at all. */
  enable: boolean;
  /** Every event as compact JSON on one topic, in arrival order; '' = none. */
  jsonTopic: string;
  /** Active users per proxy go to `<root>/<host>/count`. */
  perServerTopicRoot: string;
  /** Count, users with their directory, and servers as one JSON message; '' = none. */
  activeUsersFullTopic: string;
  /**
   * A user with no event on a proxy for this long no longer counts there (fractions allowed),
   * unless a connection of the user is open there.
   */
  sessionTimeoutMinutes: number;
  /** A user with an open connection on a proxy and no event there for this long no longer counts. */
  maxSessionHours: number;
  /** Users (directory and user id) followed at most; an event that would add one more is dropped. */
  maxTrackedUsers: number;
  /** Proxy hosts followed at most; an event from one more is dropped. */
  maxProxies: number;
  /** Publish the active-user messages again this often, changed or not; 0 = on change only. */
  republishIntervalSeconds: number;
}

/** Where Qlik Cloud app reload events go, and how the Qlik Cloud REST API is asked about them. */
export interface RelayCloudEventOptions {
  /** Publish them at all (only while the forward broker is enabled). */
  enable: boolean;
  /** Which broker the messages go to: `main` or `cloud`. */
  broker: 'main' | 'cloud';
  /** Every failed reload, as compact JSON. */
  failedTopic: string;
  /** Also publish every reload, failed or not, on `allTopic`. */
  publishAll: boolean;
  allTopic: string;
  /** An event id seen within this many minutes is dropped as a duplicate; 0 = no de-duplication. */
  dedupeTtlMinutes: number;
  api: RelayCloudApiOptions;
}

/** Tuning of the Qlik Cloud REST client (`Butler.qlikSenseCloud.event.mqtt.tenant` says where). */
export interface RelayCloudApiOptions {
  timeoutMs: number;
  maxConcurrent: number;
  /** Tries of a request that failed on the network, by time-out or with a 5xx, the first included. */
  attempts: number;
  cacheTtlMs: number;
  /** Last lines of the script log put into the message; 0 = the log is not fetched. */
  scriptLogTailLines: number;
  /** Path of an extra CA certificate; absolute after loading, '' = system CAs only. */
  ca: string;
  rejectUnauthorized: boolean;
}

/** How start-task commands from MQTT are taken and answered. */
export interface RelayStartTaskOptions {
  /** Also accept `{"taskId": …}`, a list of ids, or a list of such objects. */
  json: boolean;
  /** Topic of one result message per task id and per invalid command; '' = none. */
  replyTopic: string;
  /** MQTT 5 shared-subscription group (`$share/<group>/…`) for several relays; '' = none. */
  sharedGroup: string;
  /** Commands handled at once; more wait, unacknowledged, in arrival order. */
  maxConcurrent: number;
  /** Back-off between tries while the Repository Service cannot answer. */
  retry: RetryDelays;
}

/** How `Butler.serviceMonitor` reads service states. */
export interface RelayServiceMonitorOptions {
  /** For hosts not in `hosts`; `auto` = `windows-sc` on Windows, `systemd` elsewhere. */
  probe: ServiceProbeChoice;
  /** Program and arguments of the `command` probe; `{host}` and `{service}` are replaced. */
  command: string[];
  /** Per-host choices, `{ host, probe, command? }`; checked when the monitor starts. */
  hosts: Record<string, unknown>[];
  /** One probe call longer than this is cancelled and the service reported UNKNOWN. */
  timeoutMs: number;
  /** Probe calls at once within one poll. */
  maxConcurrent: number;
  /** Publish the status message retained. */
  retainStatus: boolean;
  /** Append `relay_serviceState` (and `relay_error`) to the service messages. */
  relayFields: boolean;
}

export type ServiceProbeChoice = 'auto' | 'windows-sc' | 'systemd' | 'command';

export type LogPretty = 'auto' | boolean;

export interface RelayLogOptions {
  level: LogLevel;
  /** `auto` = human-readable lines when stdout is a terminal. */
  pretty: LogPretty;
}

export type MqttProtocolVersion = 4 | 5;

/** Bounds of an exponential back-off, in milliseconds. */
export interface RetryDelays {
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface RelayMqttOptions {
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. */
  protocolVersion: MqttProtocolVersion;
  /** '' = a random `mqttjs_xxxxxxxx` id at every start, as Butler does. */
  clientId: string;
  username: string;
  password: string;
  keepaliveSeconds: number;
  clean: boolean;
  connectTimeoutMs: number;
  reconnect: RetryDelays;
  tls: RelayMqttTlsOptions;
  availability: { enable: boolean; topic: string };
  /** Start an in-process broker when the broker is localhost and nothing listens there. */
  embeddedBroker: boolean;
}

/** Paths are absolute after loading ('' = not set). */
export interface RelayMqttTlsOptions {
  enable: boolean;
  ca: string;
  cert: string;
  key: string;
  rejectUnauthorized: boolean;
}

export interface RelayCloudMqttOptions {
  /** Path of an extra CA certificate; absolute after loading, '' = system CAs only. */
  ca: string;
  rejectUnauthorized: boolean;
  reconnect: RetryDelays;
}

export type MqttQos = 0 | 1 | 2;
export type QueueOverflow = 'drop-oldest' | 'drop-newest';

export interface RelayPublishOptions {
  qos: MqttQos;
  inFlight: number;
  /** MQTT 5 only; 0 = messages never expire. */
  messageExpirySeconds: number;
  queue: { maxMessages: number; maxBytes: number; overflow: QueueOverflow };
  retry: RetryDelays;
}

export interface RelayHttpOptions {
  enable: boolean;
  host: string;
  port: number;
}

/** When the REST endpoint answers 201: once the message is stored, or once the broker has it. */
export type RestConfirmation = 'auto' | 'stored' | 'delivered';

export interface RelayRestOptions {
  /** Topic filters a REST message may be published to; empty = any valid topic. */
  allowedTopics: string[];
  /** Largest request body in bytes; larger ones are refused with 413. */
  bodyLimitBytes: number;
  /** Requests per client IP address per `timeWindowMs`; `max` 0 = no limit. */
  rateLimit: { max: number; timeWindowMs: number };
  /** `auto` = `stored` with the disk outbox, `delivered` with the memory outbox. */
  confirm: RestConfirmation;
  /** Answer 503 when the message is not confirmed within this many ms. */
  confirmTimeoutMs: number;
}

export interface RelayShutdownOptions {
  drainTimeoutMs: number;
}
