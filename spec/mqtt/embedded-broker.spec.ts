import { createServer, type Server } from 'node:net';
import { startEmbeddedBrokerIfNeeded } from '../../lib/mqtt/embedded-broker.js';
import { captureLog } from '../support/log-capture.js';
import { freePort } from '../support/free-port.js';
import { TestSubscriber } from '../support/subscriber.js';

describe('startEmbeddedBrokerIfNeeded', () => {
  it('starts a broker on a local port nothing listens on, and it carries messages', async () => {
    const port = await freePort();
    const logs = captureLog();
    const broker = await startEmbeddedBrokerIfNeeded({ host: '127.0.0.1', port, log: logs.log });
    expect(broker).toMatchObject({ port, protocolVersion: 4 });
    try {
      expect(logs.events('broker.embedded')[0]).toMatchObject({
        port,
        msg: expect.stringContaining(`mosquitto_sub -h 127.0.0.1 -p ${port}`),
      });
      const subscriber = await TestSubscriber.connect(`mqtt://127.0.0.1:${port}`, ['hello/#'], {
        protocolVersion: broker?.protocolVersion,
      });
      await subscriber.client.publishAsync('hello/world', 'hi', { qos: 1 });
      expect((await subscriber.waitFor('hello/world', 1))[0]?.payload).toBe('hi');
      await subscriber.close();
    } finally {
      await broker?.close();
    }
  });

  it('binds 127.0.0.1 for localhost', async () => {
    const port = await freePort();
    const broker = await startEmbeddedBrokerIfNeeded({
      host: 'localhost',
      port,
      log: captureLog().log,
    });
    try {
      const subscriber = await TestSubscriber.connect(`mqtt://127.0.0.1:${port}`, ['x'], {
        protocolVersion: broker?.protocolVersion,
      });
      await subscriber.close();
    } finally {
      await broker?.close();
    }
  });

  it('leaves a port alone when something already listens there', async () => {
    const port = await freePort();
    const occupant: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => occupant.listen(port, '127.0.0.1', resolve));
    try {
      const logs = captureLog();
      const broker = await startEmbeddedBrokerIfNeeded({ host: '127.0.0.1', port, log: logs.log });
      expect(broker).toBeUndefined();
      expect(logs.events('broker.embedded')).toHaveLength(0);
    } finally {
      await new Promise((resolve) => occupant.close(resolve));
    }
  });

  it('never replaces a remote broker', async () => {
    const logs = captureLog();
    const broker = await startEmbeddedBrokerIfNeeded({
      host: 'broker.example.com',
      port: await freePort(),
      log: logs.log,
    });
    expect(broker).toBeUndefined();
    expect(logs.records).toHaveLength(0);
  });
});
