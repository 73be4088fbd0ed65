import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RequestFailure, requestText } from '../../lib/http/request-text.js';

/** A plain HTTP server whose handler each test sets, counting requests per socket. */
describe('requestText', () => {
  let server: http.Server;
  let agent: http.Agent;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse, nth: number) => void;
  const perSocket = new WeakMap<Socket, number>();
  let sockets = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const nth = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, nth);
      handler(req, res, nth);
    });
    server.on('connection', () => (sockets += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  beforeEach(() => {
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    sockets = 0;
  });
  afterEach(() => agent.destroy());
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (path = '/', timeoutMs = 2_000, maxResponseBytes = 1_000) =>
    requestText(
      () =>
        http.request({
          host: '127.0.0.1',
          port: (server.address() as AddressInfo).port,
          path,
          agent,
        }),
      { timeoutMs, maxResponseBytes },
    );

  it('returns the status and whole body of any answer', async () => {
    handler = (_req, res) => res.writeHead(503).end('busy ✓');
    await expect(get()).resolves.toEqual({ status: 503, body: 'busy ✓' });
  });

  it('gives up after the time-out', async () => {
    handler = () => undefined; // never answers
    const failure = get('/', 50);
    await expect(failure).rejects.toBeInstanceOf(RequestFailure);
    await expect(failure).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('refuses an answer over the size limit', async () => {
    handler = (_req, res) => res.end('x'.repeat(5_000));
    await expect(get('/', 2_000, 1_000)).rejects.toMatchObject({ kind: 'too-large' });
  });

  it('reports a connection closed mid-answer', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('partial', () => req.socket.destroy());
    };
    await expect(get()).rejects.toMatchObject({ kind: 'network' });
  });

  it('sends again, on a fresh socket, a request whose kept-alive socket was closed under it', async () => {
    handler = (req, res, nth) => {
      if (nth === 2)
        req.socket.destroy(); // the reused socket dies before any answer
      else res.end(`answer ${nth}`);
    };
    await expect(get()).resolves.toMatchObject({ body: 'answer 1' });
    await expect(get()).resolves.toMatchObject({ status: 200, body: 'answer 1' });
    expect(sockets).toBe(2);
  });

  it('does not send again a request that failed on a fresh socket', async () => {
    let requests = 0;
    handler = (req) => {
      requests += 1;
      req.socket.destroy();
    };
    await expect(get()).rejects.toMatchObject({ kind: 'network' });
    expect(requests).toBe(1);
  });
});
