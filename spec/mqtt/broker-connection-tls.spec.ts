import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { whenState } from '../support/connection-state.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { openTestConnection, type TestConnection } from '../support/test-connection.js';
import { createTestCertificates, type TestCertificates } from '../support/tls.js';
import { waitUntil } from '../support/wait-until.js';

describe('BrokerConnection over TLS', () => {
  let certs: TestCertificates;
  let serverOnly: Mosquitto;
  let mutual: Mosquitto;
  const opened: TestConnection[] = [];

  beforeAll(async () => {
    certs = await createTestCertificates();
    serverOnly = await startMosquitto({ tls: { certificates: certs } });
    mutual = await startMosquitto({ tls: { certificates: certs, requireClientCertificate: true } });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map(({ connection }) => connection.close(500)));
  });
  afterAll(async () => {
    await Promise.all([serverOnly.stop(), mutual.stop()]);
    await certs.remove();
  });

  function open(
    broker: Mosquitto,
    tls: { ca?: string; cert?: string; key?: string },
  ): TestConnection {
    const connection = openTestConnection(
      standardBrokerOptions({
        host: broker.host,
        port: broker.port,
        tls: { enable: true, ...tls },
      }),
    );
    opened.push(connection);
    return connection;
  }

  it('connects when the broker certificate verifies against the configured CA', async () => {
    const { connection } = open(serverOnly, { ca: certs.caFile });
    await whenState(connection, 'connected');
    await expect(connection.publish('tls/check', 'ok', { qos: 1 })).resolves.toBeUndefined();
  });

  it('refuses a broker certificate it cannot verify: logged, retried, never thrown', async () => {
    const { connection, logs } = open(serverOnly, {});
    await waitUntil(() => logs.events('mqtt.reconnecting').length >= 2, 'two reconnect attempts');
    expect(connection.connected).toBe(false);
    // SELF_SIGNED_CERT_IN_CHAIN or UNABLE_TO_VERIFY_LEAF_SIGNATURE, depending on the chain sent
    expect(logs.events('mqtt.error')[0]).toMatchObject({
      code: expect.stringMatching(/CERT|VERIFY/),
    });
  });

  it('connects with a client certificate when the broker requires one', async () => {
    const { connection } = open(mutual, {
      ca: certs.caFile,
      cert: certs.clientCertFile,
      key: certs.clientKeyFile,
    });
    await whenState(connection, 'connected');
    await expect(connection.publish('tls/check', 'ok', { qos: 1 })).resolves.toBeUndefined();
  });

  it('fails without the required client certificate: logged, retried, never thrown', async () => {
    const { connection, logs, metrics } = open(mutual, { ca: certs.caFile });
    await waitUntil(() => logs.events('mqtt.reconnecting').length >= 2, 'two reconnect attempts');
    expect(connection.connected).toBe(false);
    expect(logs.events('mqtt.connected')).toHaveLength(0);
    // TLS 1.3 reports the refusal as an alert after the handshake; older stacks as a reset
    expect(logs.events('mqtt.error')[0]).toMatchObject({
      code: expect.stringMatching(/CERTIFICATE_REQUIRED|ECONNRESET/),
    });
    const reconnects = await metrics.brokerReconnects.get();
    expect(reconnects.values[0]?.value).toBeGreaterThanOrEqual(1);
  });
});
