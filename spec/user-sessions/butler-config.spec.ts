import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../support/cli-run.js';
import { proxyDatagram } from '../support/proxy-session-fixtures.js';
import { RelayProcess } from '../support/relay-process.js';
import { useSessionEnvironment, type SessionEnvironment } from '../support/session-relay.js';
import { freeUdpPort } from '../support/udp-sender.js';

/** A Butler 6 file: both UDP ports and the session topics, here pointed at the test broker. */
function butler6Config(env: SessionEnvironment, relay: Record<string, unknown> = {}) {
  return {
    Butler: {
      mqttConfig: {
        enable: true,
        brokerHost: env.broker.host,
        brokerPort: env.broker.port,
        sessionStartTopic: 'site-a/session/start',
        sessionStopTopic: 'site-a/session/stop',
        connectionOpenTopic: 'site-a/connection/open',
        connectionCloseTopic: 'site-a/connection/close',
        sessionServerStatusTopic: 'site-a/butler/session_server',
        activeUserCountTopic: 'site-a/users/active/count',
        activeUsersTopic: 'site-a/users/active/usernames',
      },
      udpServerConfig: {
        enable: true,
        serverHost: '127.0.0.1',
        portTaskFailure: 0,
        portSessionConnectionEvents: 0,
      },
    },
    Relay: { http: { enable: true, port: 0 }, ...relay },
  };
}

describe('a Butler 6 config with the session port', () => {
  const suite = useSessionEnvironment();

  it('opens no session port until Relay.sessionEvents.enable is set', async () => {
    const relay = RelayProcess.start(butler6Config(suite.env));
    try {
      await relay.waitForLog('relay.started');
      const pipelines = relay.records('pipeline.started').map((r) => r.pipeline);
      expect(pipelines).toContain('butler-task-events');
      expect(pipelines).not.toContain('butler-user-sessions');
    } finally {
      await relay.kill();
    }
  });

  it('turns the listener on with that one switch, beside the task listener, on its own topics', async () => {
    const relay = await suite.startWith(
      butler6Config(suite.env, { sessionEvents: { enable: true } }),
    );
    const listeners = relay.process.records('udp.listening').map((r) => r.component);
    expect(listeners).toContain('udp:sessions');
    await relay.process.waitForLog('udp.listening', (r) => r.component === 'udp:tasks');

    await relay.send(
      proxyDatagram({
        kind: 'session.start',
        hostName: 'qs-node1',
        userDirectory: 'CORP',
        userId: 'jdoe',
      }),
    );
    const { subscriber } = suite.env;
    const arrived = async (topic: string, count: number) =>
      (await subscriber.waitFor(topic, count)).map((m) => m.payload);
    expect(await arrived('site-a/session/start', 1)).toEqual(['qs-node1: CORP/jdoe']);
    expect(await arrived('site-a/butler/session_server', 1)).toEqual(['start']);
    expect(await arrived('site-a/users/active/count', 2)).toEqual(['0', '1']);
    expect(await arrived('site-a/users/active/usernames', 2)).toEqual(['[]', '["jdoe"]']);
  });

  it('is refused by check-config when both listeners would share one port', async () => {
    const port = await freeUdpPort();
    const config = butler6Config(suite.env, { sessionEvents: { enable: true } });
    const udp = (config.Butler as { udpServerConfig: Record<string, unknown> }).udpServerConfig;
    udp.portTaskFailure = port;
    udp.portSessionConnectionEvents = port;
    const file = join(mkdtempSync(join(tmpdir(), 'sessions-config-')), 'config.yaml');
    writeFileSync(file, stringify(config));
    const { code, err } = await runCli(['check-config', '--config', file]);
    expect(code).toBe(1);
    expect(err).toContain('Butler.udpServerConfig.portSessionConnectionEvents');
    expect(err).toContain(`a port other than Butler.udpServerConfig.portTaskFailure (${port})`);
  });
});
