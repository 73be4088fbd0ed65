import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IClientOptions } from 'mqtt';

/** What `mqtt.connect` needs for one broker. */
export interface BrokerClientConfig {
  url: string;
  options: IClientOptions;
}

/** Session settings shared by the main-broker modes (`Relay.mqtt.*`). */
export interface SessionSettings {
  /** `Relay.mqtt.keepaliveSeconds`; MQTT.js default 60. */
  keepaliveSeconds?: number;
  /** `Relay.mqtt.clean`; default true. */
  clean?: boolean;
  /** `Relay.mqtt.connectTimeoutMs`; default 30 000 like Butler. */
  connectTimeoutMs?: number;
  /** `Relay.mqtt.availability`: a retained `offline` last will on `topic` when enabled. */
  availability?: { enable: boolean; topic: string };
}

/** The main broker in standard mode: `Butler.mqttConfig.broker*` plus `Relay.mqtt.*`. */
export interface StandardBrokerSettings extends SessionSettings {
  /** `Butler.mqttConfig.brokerHost` */
  host: string;
  /** `Butler.mqttConfig.brokerPort` */
  port: number;
  /** `Relay.mqtt.protocolVersion`; default 4 (MQTT 3.1.1) like Butler. */
  protocolVersion?: 4 | 5;
  /** `Relay.mqtt.clientId`; empty or absent gives a random `mqttjs_` id like Butler. */
  clientId?: string;
  /** `Relay.mqtt.username` / `password`; empty means none. */
  username?: string;
  password?: string;
  /** `Relay.mqtt.tls`: file paths; empty means not used. */
  tls?: {
    enable: boolean;
    ca?: string;
    cert?: string;
    key?: string;
    /** Default true. */
    rejectUnauthorized?: boolean;
  };
}

/** The main broker in Azure Event Grid mode: `Butler.mqttConfig.azureEventGrid.*`. */
export interface AzureEventGridSettings extends SessionSettings {
  host: string;
  port: number;
  /** Also sent as the username: Event Grid authenticates the client by it. */
  clientId: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** `Relay.mqtt.tls.ca`: a CA file when the system CAs are not enough. */
  ca?: string;
}

/** The Qlik Cloud forward broker: `Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.*`. */
export interface CloudForwardBrokerSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Default 30 000 like Butler. */
  connectTimeoutMs?: number;
  /** `Relay.cloudMqtt.ca` */
  ca?: string;
  /** `Relay.cloudMqtt.rejectUnauthorized`; default true. */
  rejectUnauthorized?: boolean;
}

const STANDARD_TLS_KEYS = {
  ca: 'Relay.mqtt.tls.ca',
  cert: 'Relay.mqtt.tls.cert',
  key: 'Relay.mqtt.tls.key',
} as const;
const AZURE_KEYS = {
  cert: 'Butler.mqttConfig.azureEventGrid.clientCertFile',
  key: 'Butler.mqttConfig.azureEventGrid.clientKeyFile',
} as const;

const SESSION_NEVER_EXPIRES = 0xffffffff;

export function standardBrokerOptions(settings: StandardBrokerSettings): BrokerClientConfig {
  const tls = settings.tls?.enable ? settings.tls : undefined;
  const options: IClientOptions = {
    ...sessionOptions(settings),
    protocolVersion: settings.protocolVersion ?? 4,
  };
  if (options.protocolVersion === 5 && options.clean === false) {
    // MQTT 5 ends a session at disconnect unless asked otherwise; keep it as MQTT 3.1.1 does.
    options.properties = { sessionExpiryInterval: SESSION_NEVER_EXPIRES };
  }
  // Left out when empty so MQTT.js picks its random `mqttjs_` id, as Butler does.
  if (settings.clientId) options.clientId = settings.clientId;
  if (settings.username) options.username = settings.username;
  if (settings.password) options.password = settings.password;
  if (tls) {
    if (Boolean(tls.cert) !== Boolean(tls.key)) {
      throw new Error(
        `${STANDARD_TLS_KEYS.cert} and ${STANDARD_TLS_KEYS.key} must be set together for a client certificate`,
      );
    }
    if (tls.ca) options.ca = readPemFile(tls.ca, STANDARD_TLS_KEYS.ca, 'certificate');
    if (tls.cert) options.cert = readPemFile(tls.cert, STANDARD_TLS_KEYS.cert, 'certificate');
    if (tls.key) options.key = readPemFile(tls.key, STANDARD_TLS_KEYS.key, 'key');
    options.rejectUnauthorized = tls.rejectUnauthorized ?? true;
  }
  const scheme = tls ? 'mqtts' : 'mqtt';
  return { url: brokerUrl(scheme, settings.host, settings.port), options };
}

export function azureEventGridOptions(settings: AzureEventGridSettings): BrokerClientConfig {
  const options: IClientOptions = {
    ...sessionOptions(settings),
    protocolVersion: 5,
    clientId: settings.clientId,
    username: settings.clientId,
    cert: readPemFile(settings.clientCertFile, AZURE_KEYS.cert, 'certificate'),
    key: readPemFile(settings.clientKeyFile, AZURE_KEYS.key, 'key'),
    rejectUnauthorized: true,
  };
  if (settings.ca) options.ca = readPemFile(settings.ca, STANDARD_TLS_KEYS.ca, 'certificate');
  return { url: brokerUrl('mqtts', settings.host, settings.port), options };
}

export function cloudForwardBrokerOptions(
  settings: CloudForwardBrokerSettings,
): BrokerClientConfig {
  const options: IClientOptions = {
    ...noLibraryReconnects(),
    username: settings.username,
    password: settings.password,
    connectTimeout: settings.connectTimeoutMs ?? 30_000,
    rejectUnauthorized: settings.rejectUnauthorized ?? true,
  };
  if (settings.ca) options.ca = readPemFile(settings.ca, 'Relay.cloudMqtt.ca', 'certificate');
  return { url: brokerUrl('mqtts', settings.host, settings.port), options };
}

/** `mqtt://host:port`, with IPv6 literals bracketed. */
export function brokerUrl(scheme: 'mqtt' | 'mqtts', host: string, port: number): string {
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${hostPart}:${port}`;
}

function sessionOptions(settings: SessionSettings): IClientOptions {
  const options: IClientOptions = {
    ...noLibraryReconnects(),
    keepalive: settings.keepaliveSeconds ?? 60,
    clean: settings.clean ?? true,
    connectTimeout: settings.connectTimeoutMs ?? 30_000,
  };
  if (settings.availability?.enable) {
    options.will = { topic: settings.availability.topic, payload: 'offline', qos: 1, retain: true };
  }
  return options;
}

/**
 * BrokerConnection drives reconnects with back-off, and nothing is handed to MQTT.js while the
 * connection is down, so its fixed-period reconnect and its unbounded offline queue stay off.
 */
function noLibraryReconnects(): IClientOptions {
  return { reconnectPeriod: 0, queueQoSZero: false };
}

/**
 * Reads a PEM file named by a config key and checks that it parses, so bad TLS material fails at
 * start-up with the key and path instead of on every connect. Relative paths are taken from the
 * working directory.
 */
function readPemFile(path: string, configKey: string, kind: 'certificate' | 'key'): Buffer {
  if (!path) throw new Error(`${configKey} is not set; it must name a PEM ${kind} file`);
  const absolute = resolve(path);
  try {
    const pem = readFileSync(absolute);
    if (kind === 'certificate') new X509Certificate(pem);
    else createPrivateKey(pem);
    return pem;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${configKey}: cannot use "${absolute}" as a ${kind}: ${reason}`);
  }
}
