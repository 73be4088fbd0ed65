import type { Aedes } from 'aedes';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import type { Logger } from '../log/logger.js';

export interface EmbeddedBroker {
  /** The port it listens on (the requested one, or the one picked for port 0). */
  readonly port: number;
  /** aedes speaks MQTT 3.1.1 (and 3.1) only: a client asking for MQTT 5 is refused. */
  readonly protocolVersion: 4;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** `Butler.mqttConfig.brokerHost` */
  host: string;
  /** `Butler.mqttConfig.brokerPort` */
  port: number;
  log: Logger;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);
const PROBE_TIMEOUT_MS = 1_000;

/**
 * Starts an in-process broker (aedes) when the configured broker is this machine and nothing
 * listens on its port, so a first run shows messages without installing a broker. A remote host,
 * or a port someone already serves, is left alone and gives `undefined`.
 */
export async function startEmbeddedBrokerIfNeeded(
  options: EmbeddedBrokerOptions,
): Promise<EmbeddedBroker | undefined> {
  const { host, port, log } = options;
  if (!LOCAL_HOSTS.has(host)) return undefined;
  if (port !== 0 && (await somethingListens(host, port))) return undefined;

  // Loaded here, not at start-up: a relay pointed at a real broker never pays for aedes.
  const { Aedes: AedesBroker } = await import('aedes');
  const broker = await AedesBroker.createBroker();
  const server = createServer(broker.handle);
  // `localhost` may resolve to ::1 alone; clients for `localhost` also try 127.0.0.1, so bind that.
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  try {
    await listen(server, port, bindHost);
  } catch (error) {
    await closeBroker(broker);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return undefined; // lost a race
    throw error;
  }
  const actualPort = (server.address() as AddressInfo).port;
  log
    .child({ component: 'mqtt' })
    .info(
      { event: 'broker.embedded', host, port: actualPort },
      `No MQTT broker answered on ${host}:${actualPort}, so an embedded one now runs there. ` +
        `Watch the messages with any MQTT client, e.g. mosquitto_sub -h ${host} -p ${actualPort} -t '#' -v. ` +
        'It speaks MQTT 3.1.1 only and keeps nothing on disk; ' +
        'point Butler.mqttConfig.brokerHost at a real broker for production.',
    );
  return {
    port: actualPort,
    protocolVersion: 4,
    close: async () => {
      await closeBroker(broker); // disconnects its clients, so the server can finish closing
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** True when a TCP connection to host:port is accepted (or the attempt hangs: something is there). */
function somethingListens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(true));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeBroker(broker: Aedes): Promise<void> {
  return new Promise((resolve) => broker.close(() => resolve()));
}
