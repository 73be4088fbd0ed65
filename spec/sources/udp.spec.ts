import { readFileSync } from 'node:fs';
import { createSocket, Socket, type SocketType } from 'node:dgram';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import {
  DEFAULT_RECV_BUFFER_SIZE,
  UdpBindError,
  udpSource,
  type UdpListeningEvent,
  type UdpSourceEvent,
  type UdpSourceOptions,
} from '../../lib/sources/udp.js';
import type { DatagramEvent } from '../../lib/qlik/log-appender-events.js';
import { collect, type Collected } from '../support/collect-events.js';
import { captureLog, WARN, type LogCapture } from '../support/log-capture.js';

const isListening = (event: UdpSourceEvent): event is UdpListeningEvent =>
  event.kind === 'udp.listening';

async function send(
  type: SocketType,
  text: string | Buffer,
  port: number,
  host: string,
): Promise<number> {
  const socket = createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  await new Promise<void>((resolve, reject) =>
    socket.send(text, port, host, (err) => (err ? reject(err) : resolve())),
  );
  const { port: from } = socket.address();
  socket.close();
  return from;
}

/** The kernel's cap on receive buffers (`net.core.rmem_max`); 0 where there is no such file. */
function linuxRecvBufferMax(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  } catch {
    return 0;
  }
}

async function bindPlain(port: number, host = '127.0.0.1'): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return socket;
}

describe('udpSource', () => {
  const running: Collected<UdpSourceEvent>[] = [];
  let captured: LogCapture;

  beforeEach(() => {
    captured = captureLog();
  });
  afterEach(() => {
    for (const events of running.splice(0)) events.subscription.unsubscribe();
  });

  function listen(options: Partial<UdpSourceOptions> = {}): Collected<UdpSourceEvent> {
    const source = udpSource(
      { name: 'tasks', host: '127.0.0.1', port: 0, ...options },
      { log: captured.log, metrics: new RelayMetrics() },
    );
    const events = collect(source);
    running.push(events);
    return events;
  }

  async function listening(events: Collected<UdpSourceEvent>): Promise<UdpListeningEvent> {
    return (await events.next(isListening)) as UdpListeningEvent;
  }

  it('announces that it listens, with the bound address and port', async () => {
    const event = await listening(listen());
    expect(event).toMatchObject({
      kind: 'udp.listening',
      source: 'udp:tasks',
      data: { address: '127.0.0.1', listener: 'tasks' },
    });
    expect(event.data.port).toBeGreaterThan(0);
    expect(captured.records).toContainEqual(
      expect.objectContaining({
        event: 'udp.listening',
        address: '127.0.0.1',
        port: event.data.port,
      }),
    );
  });

  it.each([
    ['IPv4', 'udp4', '127.0.0.1'],
    ['IPv6', 'udp6', '::1'],
  ] as const)('receives datagrams over %s with their sender', async (family, type, host) => {
    const events = listen({ host });
    const { data } = await listening(events);
    const from = await send(type, 'hello;world', data.port, host);
    const datagram = (await events.next((e) => e.kind === 'udp.datagram')) as DatagramEvent;
    expect(datagram).toMatchObject({
      kind: 'udp.datagram',
      source: 'udp:tasks',
      data: { listener: 'tasks', sender: { address: host, port: from, family } },
    });
    expect(datagram.data.bytes.toString()).toBe('hello;world');
    expect(datagram.receivedAt).toBeLessThanOrEqual(Date.now());
  });

  it('receives IPv4 senders as IPv4-mapped addresses when bound to ::', async () => {
    const events = listen({ host: '::' });
    const { data } = await listening(events);
    await send('udp4', 'via v4', data.port, '127.0.0.1');
    const datagram = (await events.next((e) => e.kind === 'udp.datagram')) as DatagramEvent;
    expect(datagram.data.sender).toMatchObject({ address: '::ffff:127.0.0.1', family: 'IPv6' });
  });

  it('receives an empty datagram and a burst without losing any', async () => {
    const events = listen();
    const { data } = await listening(events);
    const socket = createSocket('udp4');
    const count = 500;
    await new Promise<void>((resolve) =>
      socket.send(Buffer.alloc(0), data.port, '127.0.0.1', () => resolve()),
    );
    for (let n = 0; n < count; n += 1) socket.send(`n${n}`, data.port, '127.0.0.1');
    await events.next(
      (e) => e.kind === 'udp.datagram' && e.data.bytes.toString() === `n${count - 1}`,
    );
    socket.close();
    const datagrams = events.values.filter((e): e is DatagramEvent => e.kind === 'udp.datagram');
    expect(datagrams).toHaveLength(count + 1);
    expect(datagrams[0]?.data.bytes).toHaveLength(0);
  });

  it('fails with a message naming host and port when the port is taken', async () => {
    const taken = await bindPlain(0);
    const { port } = taken.address();
    try {
      const err = await listen({ port }).error();
      expect(err).toBeInstanceOf(UdpBindError);
      expect(err).toMatchObject({ host: '127.0.0.1', port });
      expect((err as Error).message).toBe(
        `cannot listen for UDP on 127.0.0.1:${port}: bind EADDRINUSE 127.0.0.1:${port}`,
      );
    } finally {
      taken.close();
    }
  });

  it('fails with a message naming host and port when the address is not local', async () => {
    const err = await listen({ host: '192.0.2.1', port: 9998 }).error();
    expect((err as Error).message).toMatch(
      /^cannot listen for UDP on 192\.0\.2\.1:9998: .*EADDRNOTAVAIL/,
    );
  });

  it('fails when the host does not resolve', async () => {
    const err = await listen({ host: 'no-such-host.invalid', port: 9998 }).error(10_000);
    expect((err as Error).message).toMatch(
      /^cannot listen for UDP on no-such-host\.invalid:9998: /,
    );
  });

  it('closes the socket on unsubscribe so the port can be bound again', async () => {
    const events = listen();
    const { data } = await listening(events);
    events.subscription.unsubscribe();
    const again = await bindPlain(data.port);
    again.close();
    expect(captured.records).toContainEqual(expect.objectContaining({ event: 'udp.closed' }));
  });

  it('binds again on a new subscription, as a cold source does', async () => {
    const first = await listening(listen());
    const second = await listening(listen());
    expect(second.data.port).not.toBe(first.data.port);
  });

  describe('receive buffer', () => {
    const effective = () =>
      captured.records.find((r) => r.event === 'udp.listening')?.recvBufferSize as
        number | undefined;

    it('asks for 4 MiB by default and gets it where the system allows', async () => {
      await listening(listen());
      expect(DEFAULT_RECV_BUFFER_SIZE).toBe(4 * 1024 * 1024);
      const granted = effective() ?? 0;
      const warned = captured.records.some((r) => r.event === 'udp.recv-buffer');
      expect(granted >= DEFAULT_RECV_BUFFER_SIZE || warned).toBe(true);
      if (linuxRecvBufferMax() >= DEFAULT_RECV_BUFFER_SIZE) {
        expect(granted).toBeGreaterThanOrEqual(DEFAULT_RECV_BUFFER_SIZE);
      }
    });

    it('applies the configured size (the kernel may double it)', async () => {
      const requested = 128 * 1024;
      await listening(listen({ recvBufferSize: requested }));
      expect(effective()).toBeGreaterThanOrEqual(requested);
      expect(effective()).toBeLessThanOrEqual(2 * requested);
    });

    it('warns when the system grants less than asked', async () => {
      const requested = 2 ** 30;
      await listening(listen({ recvBufferSize: requested }));
      expect(effective()).toBeLessThan(requested);
      expect(captured.records).toContainEqual(
        expect.objectContaining({ level: WARN, event: 'udp.recv-buffer', requested }),
      );
    });
  });

  describe('socket trouble after binding', () => {
    // The source owns its socket; catching it as it reads its buffer size lets the test poke it.
    const original = Socket.prototype.getRecvBufferSize;
    let sockets: Socket[] = [];
    beforeEach(() => {
      sockets = [];
      Socket.prototype.getRecvBufferSize = function (this: Socket) {
        sockets.push(this);
        return original.call(this);
      };
    });
    afterEach(() => {
      Socket.prototype.getRecvBufferSize = original;
    });

    it('turns a socket error into a udp.error event and keeps receiving', async () => {
      const events = listen();
      const { data } = await listening(events);
      sockets[0]?.emit('error', new Error('ICMP port unreachable'));
      expect(await events.next((e) => e.kind === 'udp.error')).toMatchObject({
        source: 'udp:tasks',
        data: { message: 'ICMP port unreachable', listener: 'tasks' },
      });
      await send('udp4', 'still here', data.port, '127.0.0.1');
      await events.next((e) => e.kind === 'udp.datagram');
      expect(events.errors).toEqual([]);
    });

    it('errors the stream when the socket closes by itself', async () => {
      const events = listen();
      const { data } = await listening(events);
      sockets[0]?.close();
      const err = await events.error();
      expect((err as Error).message).toBe(
        `UDP socket on 127.0.0.1:${data.port} closed unexpectedly`,
      );
    });
  });
});
