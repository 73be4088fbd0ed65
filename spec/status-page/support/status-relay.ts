import mqtt from 'mqtt';
import type { StatusSnapshot } from '../../../lib/http/status-page/status-snapshot.js';
import { runCliProcess } from '../../support/cli-process.js';
import { startMosquitto, type Mosquitto } from '../../support/mosquitto.js';
import { RelayProcess } from '../../support/relay-process.js';
import { waitUntil } from '../../support/wait-until.js';
import { publishUrl, restRequest } from '../../rest/support/rest-client.js';

/** The relay's MQTT password in these tests: the status page must never show it. */
export const CONFIGURED_SECRET = 'configured-secret-7f3a';

/** A relay process with every input the status page shows: UDP, MQTT commands, REST. */
export interface StatusRelay {
  readonly broker: Mosquitto;
  readonly process: RelayProcess;
  readonly httpPort: number;
  readonly udpPort: number;
  readonly restUrl: string;
  /** `http://127.0.0.1:<port>` of the operations endpoint. */
  readonly base: string;
  close(): Promise<void>;
}

/**
 * A private Mosquitto and the relay process on it: the log-appender listener, the start-task
 * subscription, the REST publish endpoint and the operations endpoint, each on a free port.
 */
export async function startStatusRelay(): Promise<StatusRelay> {
  const broker = await startMosquitto();
  const process = RelayProcess.start({
    Butler: {
      mqttConfig: {
        enable: true,
        brokerHost: broker.host,
        brokerPort: broker.port,
        taskFailureSendFull: true,
      },
      udpServerConfig: { enable: true, serverHost: '127.0.0.1', portTaskFailure: 0 },
      restServerConfig: { enable: true, serverHost: '127.0.0.1', serverPort: 0 },
      restServerEndpointsEnable: { mqttPublishMessage: true },
    },
    Relay: {
      http: { enable: true, port: 0 },
      mqtt: {
        username: 'relay',
        password: CONFIGURED_SECRET, // Mosquitto lets anyone in here; the value only has to exist
        clientId: 'status-page-relay',
        reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
      },
    },
  });
  try {
    const udp = await process.waitForLog('udp.listening');
    const http = await process.waitForLog('http.listening');
    const rest = await process.waitForLog('rest.listening');
    await process.waitForLog('mqtt.connected');
    const httpPort = Number(http.port);
    return {
      broker,
      process,
      httpPort,
      udpPort: Number(udp.port),
      restUrl: publishUrl(Number(rest.port), 'http'),
      base: `http://127.0.0.1:${httpPort}`,
      async close() {
        await process.kill();
        await broker.stop();
      },
    };
  } catch (error) {
    await process.kill();
    await broker.stop();
    throw error;
  }
}

/** `GET /status.json`. */
export async function readStatus(relay: StatusRelay): Promise<StatusSnapshot> {
  const response = await fetch(`${relay.base}/status.json`);
  if (!response.ok) throw new Error(`/status.json answered ${response.status}`);
  return (await response.json()) as StatusSnapshot;
}

/** Polls `/status.json` until `test` holds; resolves with that snapshot. */
export async function waitForStatus(
  relay: StatusRelay,
  what: string,
  test: (status: StatusSnapshot) => boolean,
): Promise<StatusSnapshot> {
  let found: StatusSnapshot | undefined;
  await waitUntil(
    async () => {
      const status = await readStatus(relay);
      if (test(status)) found = status;
      return found !== undefined;
    },
    what,
    10_000,
  );
  return found as StatusSnapshot;
}

/** `sense-mqtt-relay send-test-event` as an operator runs it, at the relay's UDP port. */
export async function sendTestEvent(relay: StatusRelay, taskName: string): Promise<void> {
  const result = await runCliProcess([
    'send-test-event',
    '--type',
    'failed',
    '--to',
    `127.0.0.1:${relay.udpPort}`,
    '--task-name',
    taskName,
  ]);
  if (result.code !== 0) throw new Error(`send-test-event failed: ${result.err}`);
}

/** Publishes one message to the relay's broker (QoS 1), as any MQTT client would. */
export async function publishToBroker(
  relay: StatusRelay,
  topic: string,
  payload: string,
): Promise<void> {
  const client = await mqtt.connectAsync(relay.broker.url, { reconnectPeriod: 0 });
  try {
    await client.publishAsync(topic, payload, { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

/** `PUT /v4/mqttpublishmessage`; throws unless the relay answers 201. */
export async function postToRest(
  relay: StatusRelay,
  topic: string,
  message: string,
): Promise<void> {
  const response = await restRequest(relay.restUrl, { body: { topic, message } });
  if (response.status !== 201)
    throw new Error(`REST answered ${response.status}: ${response.text}`);
}
