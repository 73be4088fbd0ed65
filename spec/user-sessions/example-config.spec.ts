import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config/index.js';
import { runCli } from '../support/cli-run.js';
import { readProxyDatagrams } from '../support/proxy-session-fixtures.js';
import { SESSION_TOPICS as T, useSessionEnvironment } from '../support/session-relay.js';

const shipped = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const EXAMPLE = shipped('config/examples/user-sessions.yaml');

describe('config/examples/user-sessions.yaml', () => {
  const suite = useSessionEnvironment();

  it('lets only the listed senders in, as its comment says', () => {
    const { config } = loadConfig({ file: EXAMPLE, env: {} });
    expect(config.Butler.udpServerConfig).toMatchObject({
      serverHost: '0.0.0.0',
      enableSourceValidation: true,
      allowedSources: ['192.0.2.11', '192.0.2.12'],
    });
  });

  it('passes check-config, pipelines included', async () => {
    const { code, out, err } = await runCli(['check-config', '--config', EXAMPLE]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('config OK');
  });

  it('passes the pipeline tests of the built-in pipeline and of its own', async () => {
    const { code, out } = await runCli([
      'test',
      shipped('config/pipeline-tests/user-sessions.test.yaml'),
      shipped('config/examples/user-sessions.test.yaml'),
    ]);
    expect(out).toContain('6 passed, 0 failed');
    expect(code).toBe(0);
  });

  it("runs its own pipeline on the built-in pipeline's socket", async () => {
    const relay = await suite.startWith(readFileSync(EXAMPLE, 'utf8'), {
      BUTLER_MQTTCONFIG_BROKERHOST: suite.env.broker.host,
      BUTLER_MQTTCONFIG_BROKERPORT: String(suite.env.broker.port),
      BUTLER_UDPSERVERCONFIG_SERVERHOST: '127.0.0.1',
      BUTLER_UDPSERVERCONFIG_PORTSESSIONCONNECTIONEVENTS: '0',
      // The example's allow-list, with this machine in place of its placeholders.
      BUTLER_UDPSERVERCONFIG_ALLOWEDSOURCES: '127.0.0.1',
      RELAY_HTTP_ENABLE: 'true',
      RELAY_HTTP_PORT: '0',
    });
    const [start, open] = readProxyDatagrams();
    await relay.send(start as string, open as string);
    const { subscriber } = suite.env;
    const [opened] = await subscriber.waitFor('qliksense/connection/opened_by', 1);
    expect(opened?.payload).toBe('CORP\\jdoe /app/7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d');
    await subscriber.waitFor(T.open, 1);
    await subscriber.waitFor(T.count, 2); // 0 when listening, then jdoe
    expect(relay.process.records('udp.listening')).toHaveLength(1);
  });
});
