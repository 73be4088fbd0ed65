import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP relay in front of a broker that can cut its connections, like a network fault. */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every open connection on both sides; new connections are still accepted. */
  cutConnections(): void;
  close(): Promise<void>;
}

/** Listens on `port` (default: a free one) of 127.0.0.1 and forwards to `targetPort` there. */
export async function startTcpProxy(targetPort: number, port = 0): Promise<TcpProxy> {
  const host = '127.0.0.1';
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((downstream) => {
    const upstream = connect({ host, port: targetPort });
    track(downstream);
    track(upstream);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    downstream.once('close', () => upstream.destroy());
    upstream.once('close', () => downstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const cutConnections = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cutConnections,
    close: () => {
      cutConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
