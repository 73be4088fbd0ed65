/**
 * The one definition of every configuration key: format, default, env var, description and
 * whether it is secret. Loading, checking, masking and path resolution derive from it, and
 * `SETTINGS` (settings.ts) lists it for documentation. Env var names come from the path (see `envNameFor`): `Butler.mqttConfig.brokerHost` is
 * read from `BUTLER_MQTTCONFIG_BROKERHOST`, `Relay.log.level` from `RELAY_LOG_LEVEL`.
 *
 * `Butler` keys keep Butler's names, types and template defaults; template placeholders that
 * cannot work are replaced by `localhost` (hosts the relay connects to), `0.0.0.0` (addresses it
 * listens on) or '' (ids, paths, credentials), so a file may leave out any key.
 */
import type convict from 'convict';
import type { LogLevel } from '../log/logger.js';
import {
  filePath,
  flag,
  freeObject,
  hostName,
  integerIn,
  monitoredHostList,
  nameValueList,
  numberIn,
  objectList,
  oneOf,
  optionalTopicName,
  portNumber,
  positiveNumber,
  stringList,
  text,
  topicFilter,
  topicName,
} from './formats.js';
import { nullableSetting, setting, withEnvNames } from './setting-spec.js';
import type {
  ButlerConfig,
  ButlerMqttConfig,
  ButlerUdpServerConfig,
  RelayConfig,
  RelayOptions,
  RetryDelays,
} from './types.js';

const LOG_LEVELS = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
] as const satisfies readonly LogLevel[];
const atLeastOne = integerIn(1);
const zeroOrMore = integerIn(0);

const mqttConfigSchema: convict.Schema<ButlerMqttConfig> = {
  enable: setting(flag, false, 'Connect to the main MQTT broker and run every MQTT feature.'),
  brokerHost: setting(hostName, 'localhost', 'Host name or IP address of the main MQTT broker.'),
  brokerPort: setting(portNumber, 1883, 'TCP port of the main MQTT broker.'),
  azureEventGrid: {
    enable: setting(
      flag,
      false,
      'Connect to an Azure Event Grid MQTT broker over TLS with a client certificate.',
    ),
    clientId: setting(
      text,
      '',
      'Client authentication name registered in Event Grid; used as client id and username.',
    ),
    clientCertFile: setting(filePath, '', 'Client certificate file (PEM) for Azure Event Grid.'),
    clientKeyFile: setting(filePath, '', 'Private key file (PEM) for the Event Grid certificate.'),
  },
  taskFailureSendFull: setting(
    flag,
    true,
    'Also publish the full JSON message for failed reload tasks.',
  ),
  taskAbortedSendFull: setting(
    flag,
    true,
    'Also publish the full JSON message for aborted reload tasks.',
  ),
  subscriptionRootTopic: setting(
    topicFilter,
    'qliksense/#',
    'Topic filter subscribed to on the main broker; must cover taskStartTopic.',
  ),
  taskStartTopic: setting(
    topicName,
    'qliksense/start_task',
    'Topic on which a message carrying a task id starts that reload task.',
  ),
  taskFailureTopic: setting(
    topicName,
    'qliksense/task_failure',
    'Topic for the name of a failed reload task.',
  ),
  taskFailureFullTopic: setting(
    topicName,
    'qliksense/task_failure_full',
    'Topic for the full JSON message about a failed reload task.',
  ),
  taskFailureServerStatusTopic: setting(
    topicName,
    'qliksense/butler/task_failure_server',
    'Topic for the state of the UDP listener (start or error).',
  ),
  taskAbortedTopic: setting(
    topicName,
    'qliksense/task_aborted',
    'Topic for the name of an aborted reload task.',
  ),
  taskAbortedFullTopic: setting(
    topicName,
    'qliksense/task_aborted_full',
    'Topic for the full JSON message about an aborted reload task.',
  ),
  serviceRunningTopic: setting(
    topicName,
    'qliksense/service_running',
    'Topic prefix for messages about Windows services that are running.',
  ),
  serviceStoppedTopic: setting(
    topicName,
    'qliksense/service_stopped',
    'Topic prefix for messages about Windows services that are stopped.',
  ),
  serviceStatusTopic: setting(
    topicName,
    'qliksense/service_status',
    'Topic prefix for the state of every monitored Windows service.',
  ),
  qlikSenseServerLicenseTopic: setting(
    topicName,
    'qliksense/qliksense_server_license',
    'Topic for the periodic Qlik Sense server licence status.',
  ),
  qlikSenseServerLicenseExpireTopic: setting(
    topicName,
    'qliksense/qliksense_server_license_expire',
    'Topic for the alert that the server licence is about to expire.',
  ),
  sessionStartTopic: setting(
    topicName,
    'qliksense/session/start',
    'Topic for "host: directory/user" when a proxy session starts (Relay.sessionEvents.enable).',
  ),
  sessionStopTopic: setting(
    topicName,
    'qliksense/session/stop',
    'Topic for "host: directory/user" when a proxy session stops (Relay.sessionEvents.enable).',
  ),
  connectionOpenTopic: setting(
    topicName,
    'qliksense/connection/open',
    'Topic for "host: directory/user" when a proxy connection opens (Relay.sessionEvents.enable).',
  ),
  connectionCloseTopic: setting(
    topicName,
    'qliksense/connection/close',
    'Topic for "host: directory/user" when a proxy connection closes (Relay.sessionEvents.enable).',
  ),
  sessionServerStatusTopic: setting(
    topicName,
    'qliksense/butler/session_server',
    'Topic for the state of the session UDP listener (start, error, stop; retained).',
  ),
  activeUserCountTopic: setting(
    topicName,
    'qliksense/users/active/count',
    'Topic for the number of active users (retained).',
  ),
  activeUsersTopic: setting(
    topicName,
    'qliksense/users/active/usernames',
    'Topic for the JSON list of the user ids of the active users (retained).',
  ),
  qlikSenseCloud: {
    event: {
      mqttForward: {
        enable: setting(
          flag,
          false,
          'Subscribe to a second broker that carries Qlik Cloud events (needs mqttConfig.enable).',
        ),
        broker: {
          host: setting(
            hostName,
            'localhost',
            'Host name of the broker carrying Qlik Cloud events.',
          ),
          port: setting(portNumber, 8765, 'TLS port of the broker carrying Qlik Cloud events.'),
          username: setting(text, '', 'Username for the Qlik Cloud event broker.'),
          password: setting(text, '', 'Password for the Qlik Cloud event broker.', {
            sensitive: true,
          }),
        },
        topic: {
          subscriptionRoot: setting(
            topicFilter,
            'qscloud/#',
            'Topic filter subscribed to on the Qlik Cloud event broker.',
          ),
          appReload: setting(
            topicName,
            'qscloud/app/reload',
            'Topic prefix of Qlik Cloud app reload events.',
          ),
        },
      },
    },
  },
};

const udpServerConfigSchema: convict.Schema<ButlerUdpServerConfig> = {
  enable: setting(flag, false, 'Listen for UDP log events from the Qlik Sense scheduler.'),
  serverHost: setting(hostName, '0.0.0.0', 'Local address the UDP listener binds to.'),
  portTaskFailure: setting(portNumber, 9998, 'UDP port for scheduler log events.'),
  portSessionConnectionEvents: setting(
    portNumber,
    9997,
    'UDP port for proxy session and connection events; listened on only with Relay.sessionEvents.enable.',
  ),
  maxMessageSize: setting(
    integerIn(1, 65507),
    65507,
    'Largest datagram accepted, in bytes; larger ones are dropped.',
  ),
  enableSourceValidation: setting(
    flag,
    false,
    'Accept datagrams only from the hosts listed in allowedSources.',
  ),
  allowedSources: setting(
    stringList,
    [],
    'IPv4 addresses or host names allowed to send datagrams when source validation is on.',
  ),
  messageQueue: {
    maxConcurrent: setting(atLeastOne, 10, 'Datagrams processed at the same time.'),
    maxSize: setting(atLeastOne, 200, 'Datagrams allowed to wait; more are dropped and counted.'),
    backpressureThreshold: setting(
      numberIn(0, 100),
      80,
      'Queue fill level, in percent, at which a warning is logged.',
    ),
  },
  rateLimit: {
    enable: setting(flag, false, 'Limit how many datagrams are accepted per minute.'),
    maxMessagesPerMinute: setting(atLeastOne, 600, 'Datagrams accepted per minute when limited.'),
  },
  deduplication: {
    enable: setting(flag, true, 'Drop repeated events with an execution id seen recently.'),
    ttlMinutes: setting(positiveNumber, 10, 'How long an execution id is remembered, in minutes.'),
  },
  queueMetrics: {
    influxdb: {
      enable: setting(flag, false, 'Butler key for queue metrics in InfluxDB; not used here.'),
      writeFrequency: setting(
        atLeastOne,
        20000,
        'Butler key for the InfluxDB write interval in ms; not used here.',
      ),
      measurementName: setting(
        text,
        'butler_udp_queue',
        'Butler key for the InfluxDB measurement name; not used here.',
      ),
      tags: setting(objectList, [], 'Butler key for extra InfluxDB tags; not used here.'),
    },
  },
};

const butlerSchema: convict.Schema<ButlerConfig> = {
  mqttConfig: mqttConfigSchema,
  udpServerConfig: udpServerConfigSchema,
  configQRS: {
    authentication: setting(
      text,
      'certificates',
      'How the Repository Service is authenticated to (Butler uses certificates).',
    ),
    host: setting(hostName, 'localhost', 'Host name of the Qlik Sense Repository Service.'),
    port: setting(portNumber, 4242, 'Port of the Qlik Sense Repository Service.'),
    useSSL: setting(flag, true, 'Talk to the Repository Service over HTTPS.'),
    rejectUnauthorized: setting(
      flag,
      false,
      "Refuse a Repository Service certificate that the CA file doesn't vouch for.",
    ),
    headers: {
      static: setting(
        nameValueList,
        [{ name: 'X-Qlik-User', value: 'UserDirectory=Internal;UserId=sa_repository' }],
        'HTTP headers sent with every Repository Service request.',
      ),
    },
  },
  cert: {
    clientCert: setting(filePath, '', 'Client certificate file (PEM) for the Repository Service.'),
    clientCertKey: setting(filePath, '', 'Private key file (PEM) of the client certificate.'),
    clientCertCA: setting(filePath, '', 'CA certificate file (PEM) of the Qlik Sense servers.'),
  },
  serviceMonitor: {
    enable: setting(flag, false, 'Check the state of Windows services on a schedule.'),
    frequency: setting(
      text,
      'every 30 seconds',
      'How often services are checked: every N seconds, minutes, hours or days (checked at start).',
    ),
    monitor: nullableSetting(
      monitoredHostList,
      null,
      'Hosts and their services to check; null or empty checks nothing.',
    ),
    alertDestination: {
      mqtt: {
        enable: setting(flag, true, 'Publish service states to MQTT.'),
      },
    },
  },
  qlikSenseLicense: {
    serverLicenseMonitor: {
      enable: setting(flag, false, 'Check the Qlik Sense server licence on a schedule.'),
      frequency: setting(
        text,
        'every 24 hours',
        'How often the licence is checked: every N seconds, minutes, hours or days (checked at start).',
      ),
      alert: {
        thresholdDays: setting(
          zeroOrMore,
          60,
          'Alert when this many days or fewer are left on the licence.',
        ),
      },
      destination: {
        mqtt: {
          enable: setting(flag, false, 'Publish licence status and alerts to MQTT.'),
          sendRecurring: {
            enable: setting(flag, true, 'Butler key for the recurring status message.'),
          },
          sendAlert: {
            enable: setting(flag, true, 'Butler key for the expiry alert message.'),
          },
        },
      },
    },
  },
  restServerConfig: {
    enable: setting(flag, false, 'Run the HTTP API.'),
    serverHost: setting(hostName, '0.0.0.0', 'Local address the HTTP API listens on.'),
    serverPort: setting(portNumber, 8080, 'Public port of the HTTP API.'),
    backgroundServerPort: setting(
      portNumber,
      8081,
      'Internal port that the public HTTP API port forwards to.',
    ),
    tls: {
      enable: setting(flag, false, 'Serve the public HTTP API port over HTTPS.'),
      cert: setting(filePath, '', 'Certificate file (PEM) of the HTTPS API.'),
      key: setting(filePath, '', 'Private key file (PEM) of the HTTPS API.'),
      ca: nullableSetting(filePath, null, 'CA certificate file (PEM) of the HTTPS API, if any.'),
    },
  },
  restServerEndpointsEnable: {
    mqttPublishMessage: setting(
      flag,
      false,
      'Offer PUT /v4/mqttpublishmessage, which publishes a message to MQTT.',
    ),
  },
  startTaskFilter: setting(
    freeObject,
    { enable: false, allowTask: { taskId: [], tag: [], customProperty: [] } },
    'Butler allow-list of tasks that may be started; the relay applies it to MQTT start commands.',
  ),
  qlikSenseCloud: {
    enable: setting(flag, false, 'Handle events from a Qlik Cloud tenant.'),
    event: {
      mqtt: {
        tenant: {
          id: setting(text, '', 'Id of the Qlik Cloud tenant whose events are handled.'),
          tenantUrl: setting(text, '', 'Base URL of the Qlik Cloud tenant.'),
          authType: setting(text, 'jwt', 'How the relay authenticates to Qlik Cloud.'),
          auth: {
            jwt: {
              token: setting(text, '', 'API key (JWT) for the Qlik Cloud tenant.', {
                sensitive: true,
              }),
            },
          },
          comment: setting(text, '', 'Free text passed along with Qlik Cloud alerts.'),
        },
      },
    },
  },
};

const delays = (what: string): convict.Schema<RetryDelays> => ({
  initialDelayMs: setting(atLeastOne, 1000, `First delay before ${what}, in ms.`),
  maxDelayMs: setting(atLeastOne, 30000, `Longest delay between ${what} attempts, in ms.`),
});

const relayOptionsSchema: convict.Schema<RelayOptions> = {
  log: {
    level: setting(oneOf(LOG_LEVELS), 'info', 'Lowest log level written.'),
    pretty: setting(
      oneOf(['auto', true, false]),
      'auto',
      'Human-readable log lines instead of JSON; auto = when stdout is a terminal.',
    ),
  },
  mqtt: {
    protocolVersion: setting(
      oneOf([4, 5]),
      4,
      'MQTT protocol spoken to the main broker: 4 = MQTT 3.1.1, 5 = MQTT 5.',
    ),
    clientId: setting(
      text,
      '',
      "Client id on the main broker; '' = a new random id at every start.",
    ),
    username: setting(text, '', 'Username on the main broker.'),
    password: setting(text, '', 'Password on the main broker.', { sensitive: true }),
    keepaliveSeconds: setting(
      integerIn(0, 65535),
      60,
      'Seconds between keep-alive pings to the main broker; 0 = none.',
    ),
    clean: setting(flag, true, 'Start a clean session on the main broker at every connect.'),
    connectTimeoutMs: setting(
      atLeastOne,
      30000,
      'Give up a connection attempt to the main broker after this many ms.',
    ),
    reconnect: delays('reconnecting to the main broker'),
    tls: {
      enable: setting(flag, false, 'Connect to the main broker over TLS (mqtts).'),
      ca: setting(filePath, '', "CA certificate file (PEM) for the broker; '' = system CAs."),
      cert: setting(filePath, '', 'Client certificate file (PEM) for the main broker.'),
      key: setting(filePath, '', 'Private key file (PEM) of the client certificate.'),
      rejectUnauthorized: setting(
        flag,
        true,
        'Refuse a broker certificate that no trusted CA vouches for.',
      ),
    },
    availability: {
      enable: setting(
        flag,
        true,
        'Publish a retained online message, with offline as the last will.',
      ),
      topic: setting(
        topicName,
        'qliksense/sense-mqtt-relay/availability',
        'Topic of the retained online/offline message.',
      ),
    },
    embeddedBroker: setting(
      flag,
      false,
      'Start a broker inside the relay when the broker host is local and nothing listens there (for trying the relay out; config/default.yaml turns it on).',
    ),
  },
  cloudMqtt: {
    ca: setting(
      filePath,
      '',
      "Extra CA certificate file (PEM) for the Qlik Cloud event broker; '' = system CAs.",
    ),
    rejectUnauthorized: setting(
      flag,
      true,
      'Refuse a Qlik Cloud event broker certificate that no trusted CA vouches for.',
    ),
    reconnect: delays('reconnecting to the Qlik Cloud event broker'),
  },
  publish: {
    qos: setting(oneOf([0, 1, 2]), 1, 'Default MQTT quality of service for every route.'),
    inFlight: setting(
      integerIn(1, 65000),
      100,
      'Messages each publisher may have sent but not yet acknowledged.',
    ),
    messageExpirySeconds: setting(
      integerIn(0, 4294967295),
      0,
      'MQTT 5 message expiry in seconds; 0 = messages never expire.',
    ),
    queue: {
      maxMessages: setting(
        atLeastOne,
        10000,
        'Messages a publisher may hold while the broker is away.',
      ),
      maxBytes: setting(atLeastOne, 16777216, 'Payload bytes a publisher may hold while waiting.'),
      overflow: setting(
        oneOf(['drop-oldest', 'drop-newest']),
        'drop-oldest',
        'Which message to drop when a publisher queue is full.',
      ),
    },
    retry: delays('retrying a publish'),
  },
  udp: {
    recvBufferSize: setting(
      zeroOrMore,
      4194304,
      'Kernel receive buffer of the UDP listeners in bytes; 0 = system default.',
    ),
  },
  qrs: {
    timeoutMs: setting(
      atLeastOne,
      30000,
      'Give up a Repository Service request after this many ms.',
    ),
    maxConcurrent: setting(atLeastOne, 10, 'Repository Service requests in flight at once.'),
    attempts: setting(
      atLeastOne,
      3,
      'Tries of a read request that failed on the network, by time-out or with a 5xx.',
    ),
    cacheTtlMs: setting(
      zeroOrMore,
      60000,
      'Keep task and app metadata this many ms, so a burst of failures costs one lookup.',
    ),
  },
  taskEvents: {
    reloadTasksOnly: setting(
      flag,
      true,
      'Publish failed/aborted messages for reload tasks only, as Butler does.',
    ),
    relayFields: setting(
      flag,
      true,
      'Append relay_eventId (and relay_enrichment when a lookup failed) to full task messages.',
    ),
  },
  sessionEvents: {
    enable: setting(
      flag,
      false,
      'Listen on Butler.udpServerConfig.portSessionConnectionEvents for proxy session and connection events, publish them and the active users.',
    ),
    jsonTopic: setting(
      optionalTopicName,
      'qliksense/session/events',
      "Topic of every session and connection event as compact JSON, in arrival order; '' = none.",
    ),
    perServerTopicRoot: setting(
      topicName,
      'qliksense/users/activeperserver',
      'Topic root of the number of active users per proxy: root/HOST/count (retained).',
    ),
    activeUsersFullTopic: setting(
      optionalTopicName,
      'qliksense/users/active/full',
      "Topic of the active users with their directories and servers as JSON (retained); '' = none.",
    ),
    sessionTimeoutMinutes: setting(
      positiveNumber,
      30,
      'A user with no session or connection event on a proxy for this long, and no connection open there, no longer counts as active there.',
    ),
    maxSessionHours: setting(
      positiveNumber,
      12,
      'A user with a connection open on a proxy (an app in use) and no event there for this long no longer counts as active there.',
    ),
    maxTrackedUsers: setting(
      atLeastOne,
      10000,
      'Users (directory and user id) counted at most; an event that would add one more is dropped and counted.',
    ),
    maxProxies: setting(
      atLeastOne,
      64,
      'Proxy hosts counted at most; an event from one more is dropped and counted.',
    ),
    republishIntervalSeconds: setting(
      integerIn(0, 86400),
      60,
      'Publish the active-user messages again this often, changed or not; 0 = on change only.',
    ),
  },
  startTask: {
    json: setting(
      flag,
      true,
      'Also accept JSON start commands: {"taskId": "…"}, a list of ids, or a list of such objects.',
    ),
    replyTopic: setting(
      text,
      '',
      "Topic of a result message for every task start and invalid command; '' = none.",
    ),
    sharedGroup: setting(
      text,
      '',
      "MQTT 5 shared-subscription group, so several relays share the start commands; '' = none.",
    ),
    maxConcurrent: setting(atLeastOne, 4, 'Start commands handled at once.'),
    retry: delays('retrying a task start the Repository Service could not answer'),
  },
  cloudEvents: {
    enable: setting(
      flag,
      true,
      'Publish Qlik Cloud app reload events to MQTT while the Qlik Cloud forward broker is enabled.',
    ),
    broker: setting(
      oneOf(['main', 'cloud']),
      'main',
      'Broker the Qlik Cloud reload messages are published to.',
    ),
    failedTopic: setting(
      topicName,
      'qliksense/cloud/app_reload_failed',
      'Topic of every failed Qlik Cloud app reload (compact JSON).',
    ),
    publishAll: setting(
      flag,
      false,
      'Also publish every Qlik Cloud app reload, failed or not, on allTopic.',
    ),
    allTopic: setting(
      topicName,
      'qliksense/cloud/app_reload',
      'Topic of every Qlik Cloud app reload when publishAll is on.',
    ),
    dedupeTtlMinutes: setting(
      zeroOrMore,
      10,
      'Drop a Qlik Cloud event whose id was seen within this many minutes; 0 = keep every copy.',
    ),
    api: {
      timeoutMs: setting(
        atLeastOne,
        30000,
        'Give up a Qlik Cloud REST request after this many ms.',
      ),
      maxConcurrent: setting(atLeastOne, 5, 'Qlik Cloud REST requests in flight at once.'),
      attempts: setting(
        atLeastOne,
        2,
        'Tries of a Qlik Cloud REST request that failed on the network, by time-out or with a 5xx.',
      ),
      cacheTtlMs: setting(
        zeroOrMore,
        60000,
        'Keep Qlik Cloud app metadata this many ms, so a burst of reloads costs one lookup.',
      ),
      scriptLogTailLines: setting(
        zeroOrMore,
        20,
        'Last lines of the reload script log put into the message; 0 = the log is not fetched.',
      ),
      ca: setting(
        filePath,
        '',
        "Extra CA certificate file (PEM) for the Qlik Cloud REST API; '' = system CAs.",
      ),
      rejectUnauthorized: setting(
        flag,
        true,
        'Refuse a Qlik Cloud REST API certificate that no trusted CA vouches for.',
      ),
    },
  },
  serviceMonitor: {
    probe: setting(
      oneOf(['auto', 'windows-sc', 'systemd', 'command']),
      'auto',
      'How service states are read for hosts not in hosts; auto = windows-sc on Windows, systemd elsewhere.',
    ),
    command: setting(
      stringList,
      [],
      'Program and arguments of the command probe; {host} and {service} are replaced.',
    ),
    hosts: setting(
      objectList,
      [],
      'Probe per host: [{ host, probe, command }]; checked when the service monitor starts.',
    ),
    timeoutMs: setting(
      atLeastOne,
      10000,
      'Cancel a probe call after this many ms; the service is then reported UNKNOWN.',
    ),
    maxConcurrent: setting(atLeastOne, 8, 'Probe calls running at once within one poll.'),
    retainStatus: setting(
      flag,
      true,
      'Publish service status messages retained, so a late subscriber learns the current state.',
    ),
    relayFields: setting(
      flag,
      true,
      'Append relay_serviceState (pending, paused, UNKNOWN) and relay_error to service messages.',
    ),
  },
  http: {
    enable: setting(flag, false, 'Serve /healthz and /metrics over HTTP.'),
    host: setting(hostName, '127.0.0.1', 'Local address of the health and metrics endpoint.'),
    port: setting(portNumber, 9842, 'Port of the health and metrics endpoint.'),
  },
  rest: {
    allowedTopics: setting(
      stringList,
      [],
      'Topic filters (e.g. qliksense/apps/#) the REST endpoint may publish to; [] = any valid topic.',
    ),
    bodyLimitBytes: setting(
      atLeastOne,
      1048576,
      'Largest REST request body in bytes; larger ones are refused with 413.',
    ),
    rateLimit: {
      max: setting(
        zeroOrMore,
        100,
        'REST requests allowed per client IP address per time window; 0 = no limit.',
      ),
      timeWindowMs: setting(atLeastOne, 60000, 'The REST rate-limit window in ms.'),
    },
    confirm: setting(
      oneOf(['auto', 'stored', 'delivered']),
      'auto',
      'Answer 201 once the message is in the outbox (stored) or acknowledged by the broker (delivered); auto = stored with the disk outbox, delivered with the memory one.',
    ),
    confirmTimeoutMs: setting(
      atLeastOne,
      5000,
      'Answer 503 when a REST message is not confirmed within this many ms.',
    ),
  },
  outbox: {
    store: setting(
      oneOf(['disk', 'memory']),
      'disk',
      'Where accepted messages wait for the broker: disk survives a crash or restart; memory does not.',
    ),
    directory: setting(
      filePath,
      '',
      "Folder of the disk outbox; '' = sense-mqtt-relay/outbox in the user's data folder.",
    ),
    fsync: setting(
      oneOf(['always', 'interval']),
      'always',
      'Sync the disk outbox before a message counts as accepted (always) or every fsyncIntervalMs.',
    ),
    fsyncIntervalMs: setting(atLeastOne, 1000, 'With fsync: interval, sync the outbox this often.'),
    maxAgeSeconds: setting(
      zeroOrMore,
      604800,
      'Drop (and count) a message still unsent after this many seconds; 0 = keep it until sent.',
    ),
  },
  shutdown: {
    drainTimeoutMs: setting(
      zeroOrMore,
      10000,
      'On shutdown, wait at most this many ms for queued messages to be sent.',
    ),
  },
  pipelines: setting(objectList, [], 'Pipeline definitions; each is checked when pipelines load.'),
  pipelineModules: setting(
    filePath,
    '',
    "Folder with your own pipeline modules (.js/.mjs); '' = none.",
  ),
};

export const relaySchema: convict.Schema<RelayConfig> = withEnvNames<RelayConfig>({
  Butler: butlerSchema,
  Relay: relayOptionsSchema,
});
