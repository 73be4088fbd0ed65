import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/**
 * Sends datagrams in order from one socket, as a Sense node's log appender does. Each send waits
 * for the previous one to leave, so the order on the wire is the order given.
 */
export async function sendDatagrams(
  port: number,
  datagrams: readonly (string | Buffer)[],
  host = '127.0.0.1',
): Promise<void> {
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  try {
    for (const datagram of datagrams) await send(socket, datagram, port, host);
  } finally {
    socket.close();
  }
}

export function sendDatagram(port: number, datagram: string | Buffer, host = '127.0.0.1') {
  return sendDatagrams(port, [datagram], host);
}

/** A UDP port nothing is bound to right now (the OS picks it). */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function send(socket: Socket, datagram: string | Buffer, port: number, host: string) {
  return new Promise<void>((resolve, reject) =>
    socket.send(datagram, port, host, (error) => (error ? reject(error) : resolve())),
  );
}
