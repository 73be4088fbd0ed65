import { standardBrokerOptions } from '../../lib/mqtt/client-options.js';
import { whenState } from '../support/connection-state.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { openTestConnection, type TestConnection } from '../support/test-connection.js';
import { waitUntil } from '../support/wait-until.js';

describe('BrokerConnection with username and password', () => {
  let broker: Mosquitto;
  const opened: TestConnection[] = [];

  beforeAll(async () => {
    broker = await startMosquitto({ users: { relay: 'correct horse' } });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map(({ connection }) => connection.close(500)));
  });
  afterAll(async () => {
    await broker.stop();
  });

  function open(protocolVersion: 4 | 5, username: string, password: string): TestConnection {
    const connection = openTestConnection(
      standardBrokerOptions({
        host: broker.host,
        port: broker.port,
        protocolVersion,
        username,
        password,
      }),
    );
    opened.push(connection);
    return connection;
  }

  it('connects with good credentials', async () => {
    const { connection } = open(4, 'relay', 'correct horse');
    await whenState(connection, 'connected');
  });

  it.each([4, 5] as const)(
    'logs the refusal of bad credentials with its reason code and retries (MQTT %i)',
    async (protocolVersion) => {
      const { connection, logs } = open(protocolVersion, 'relay', 'wrong');
      await waitUntil(() => logs.events('mqtt.reconnecting').length >= 2, 'two reconnect attempts');
      expect(connection.connected).toBe(false);
      const [refusal] = logs.events('mqtt.error');
      // MQTT 3.1.1 return code 5 / MQTT 5 reason code 0x87 (135): not authorized
      expect(refusal).toMatchObject({
        code: protocolVersion === 5 ? 135 : 5,
        error: expect.stringMatching(/Connection refused: Not authorized/i),
      });
    },
  );
});
