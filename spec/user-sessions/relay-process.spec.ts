import { createSocket, type Socket } from 'node:dgram';
import { metricValue, waitForMetric } from '../support/relay-metrics-scrape.js';
import { proxyDatagram, readProxyDatagrams } from '../support/proxy-session-fixtures.js';
import { RelayProcess } from '../support/relay-process.js';
import {
  SESSION_TOPICS as T,
  sessionRelayConfig,
  useSessionEnvironment,
} from '../support/session-relay.js';
import type { TestSubscriber } from '../support/subscriber.js';
import { waitUntil } from '../support/wait-until.js';

const NODE1 = 'qs-node1.corp.example.com';
const NODE2 = 'QS-NODE2';

/** A datagram of the proxy appenders: `start CORP\jdoe on NODE1` in code. */
function event(
  kind: 'session.start' | 'session.stop' | 'connection.open' | 'connection.close',
  user: string,
  hostName: string,
): string {
  const [userDirectory = '', userId = ''] = user.split('\\');
  return proxyDatagram({ kind, hostName, userDirectory, userId });
}

/**
 * The payloads on `topic` once `count` arrived. Each topic has a publisher of its own, so
 * messages on different topics may arrive in any order; each topic is awaited by itself.
 */
async function payloads(subscriber: TestSubscriber, topic: string, count: number) {
  return (await subscriber.waitFor(topic, count, 15_000)).map((m) => m.payload);
}

/** Resolves once `payload` arrived on `topic` at least `times` times; all messages on it. */
async function waitForRepeats(
  subscriber: TestSubscriber,
  topic: string,
  payload: string,
  times: number,
) {
  await waitUntil(
    () => subscriber.payloads(topic).filter((p) => p === payload).length >= times,
    `${payload} ${times} times on ${topic}, got ${JSON.stringify(subscriber.payloads(topic))}`,
    15_000,
  );
  return subscriber.messages(topic);
}

/** A UDP socket bound exclusively to a free port on 127.0.0.1, as another program would hold it. */
function takeUdpPort(): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', reuseAddr: false });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

describe('user session events, from the proxy datagram to MQTT', () => {
  const suite = useSessionEnvironment();

  it("publishes Butler's topics and payloads for the reference datagrams, counting from the events", async () => {
    const relay = await suite.start();
    const { subscriber } = suite.env;
    // Where things stand once the listener is up: nobody yet.
    await subscriber.waitForMessage(T.serverStatus, (m) => m.payload === 'start');
    await subscriber.waitFor(T.usernames, 1);

    await relay.send(...readProxyDatagrams());
    expect((await subscriber.waitFor(T.usernames, 4)).map((m) => m.payload)).toEqual([
      '[]',
      '["jdoe"]',
      '["jdoe","asmith"]',
      '["asmith"]',
    ]);
    const arrived = (topic: string, count: number) => payloads(subscriber, topic, count);
    expect(await arrived(T.start, 2)).toEqual([`${NODE1}: CORP/jdoe`, `${NODE2}: EXT/asmith`]);
    expect(await arrived(T.open, 1)).toEqual([`${NODE1}: CORP/jdoe`]);
    expect(await arrived(T.close, 1)).toEqual([`${NODE2}: EXT/asmith`]);
    expect(await arrived(T.stop, 1)).toEqual([`${NODE1}: CORP/jdoe`]);
    expect(await arrived(T.count, 4)).toEqual(['0', '1', '2', '1']);
    expect(await arrived(T.perServer(NODE1), 2)).toEqual(['1', '0']);
    expect(await arrived(T.perServer(NODE2), 1)).toEqual(['1']);

    const json = (await subscriber.waitFor(T.json, 5)).map(
      (m) => JSON.parse(m.payload) as Record<string, unknown>,
    );
    expect(json.map((e) => [e.kind, e.userDirectory, e.userId, e.hostName])).toEqual([
      ['session.start', 'CORP', 'jdoe', NODE1],
      ['connection.open', 'CORP', 'jdoe', NODE1],
      ['session.start', 'EXT', 'asmith', NODE2],
      ['connection.close', 'EXT', 'asmith', NODE2],
      ['session.stop', 'CORP', 'jdoe', NODE1],
    ]);
    expect(json[1]).toMatchObject({
      origin: 'AppAccess',
      context: '/app/7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d',
      logMessage: 'Engine connection Opened for session 3f2e1d0c-9b8a-4776-8655-443322110099',
    });

    // A dashboard that connects now is handed the current numbers.
    const dashboard = await suite.lateSubscriber([
      T.count,
      T.usernames,
      T.perServer(NODE2),
      T.full,
    ]);
    expect(await dashboard.waitFor(T.count, 1)).toEqual([
      expect.objectContaining({ payload: '1', retain: true }),
    ]);
    expect(await payloads(dashboard, T.usernames, 1)).toEqual(['["asmith"]']);
    expect(await payloads(dashboard, T.perServer(NODE2), 1)).toEqual(['1']);
    expect(JSON.parse((await payloads(dashboard, T.full, 1))[0] ?? '')).toEqual({
      count: 1,
      users: [{ userDirectory: 'EXT', userId: 'asmith', servers: [NODE2] }],
      servers: { [NODE2]: 1 },
    });
    // The events themselves are not retained.
    expect(subscriber.messages(T.start).every((m) => !m.retain)).toBe(true);

    expect(await relay.stop()).toBe(0);
    await subscriber.waitForMessage(T.serverStatus, (m) => m.payload === 'stop');
  });

  it('follows overlapping sessions of two users, and expires the one that never ends', async () => {
    // 0.1 minutes: a session with no event for 6 s no longer counts.
    const relay = await suite.start({
      sessionEvents: { sessionTimeoutMinutes: 0.1, republishIntervalSeconds: 0 },
    });
    const { subscriber } = suite.env;
    await subscriber.waitFor(T.count, 1); // nobody, once the listener is up

    await relay.send(
      event('session.start', 'CORP\\jdoe', NODE1),
      event('session.start', 'EXT\\asmith', NODE2),
      event('connection.open', 'EXT\\asmith', NODE2),
      event('session.start', 'CORP\\jdoe', NODE2), // jdoe on a second proxy, overlapping
      event('session.stop', 'CORP\\jdoe', NODE1), // jdoe is still active on NODE2
      event('connection.close', 'EXT\\asmith', NODE2),
      event('session.stop', 'EXT\\asmith', NODE2),
    );
    expect((await subscriber.waitFor(T.usernames, 4)).map((m) => m.payload)).toEqual([
      '[]',
      '["jdoe"]',
      '["jdoe","asmith"]',
      '["jdoe"]',
    ]);
    expect(await payloads(subscriber, T.count, 4)).toEqual(['0', '1', '2', '1']);
    expect(await payloads(subscriber, T.perServer(NODE1), 2)).toEqual(['1', '0']);
    expect(await payloads(subscriber, T.perServer(NODE2), 3)).toEqual(['1', '2', '1']);

    // jdoe's session on NODE2 never reports its end: it times out.
    const counts = await subscriber.waitFor(T.count, 5, 15_000);
    expect(counts.map((m) => m.payload)).toEqual(['0', '1', '2', '1', '0']);
    expect((await payloads(subscriber, T.usernames, 5)).at(-1)).toBe('[]');
    expect((await payloads(subscriber, T.perServer(NODE2), 4)).at(-1)).toBe('0');
    const metrics = await relay.metrics();
    expect(metricValue(metrics, 'relay_sessions_expired_total')).toBe(1);
    expect(metricValue(metrics, 'relay_active_users')).toBe(0);
    const [expired] = relay.process.records('user-sessions.expired');
    expect(expired).toMatchObject({ count: 1, users: [`CORP\\jdoe on ${NODE2}`] });
  });

  it('counts malformed datagrams by reason, and the next good one still goes out', async () => {
    const relay = await suite.start({ udpServerConfig: { maxMessageSize: 1000 } });
    const good = event('session.start', 'CORP\\jdoe', NODE1);
    const drops = {
      malformed: [
        '/proxy-session/;qs-node1;Start session;CORP;jdoe', // too few fields
        event('connection.open', 'CORP\\jdoe', NODE1).replace(
          '/proxy-connection/',
          '/proxy-session/',
        ),
        event('session.start', 'CORP\\', NODE1), // no user id
        Buffer.concat([Buffer.from(good.slice(0, 30)), Buffer.from([0xc3, 0x28])]),
        Buffer.alloc(0),
      ],
      'unknown-type': [
        good.replace('Start session', 'Refresh session'),
        'qs-node1.corp.example.com;Start session;CORP;jdoe', // Butler 4's untagged format
        '/scheduler-task-failed/;a;b;c;d;e;f;g;h;i;j', // a task datagram sent to the wrong port
      ],
      'too-large': [good.padEnd(1001, 'x')],
    };
    await relay.send(...Object.values(drops).flat(), good);

    await suite.env.subscriber.waitFor(T.start, 1);
    expect(suite.env.subscriber.payloads(T.start)).toEqual([`${NODE1}: CORP/jdoe`]);
    const metrics = await relay.metrics();
    for (const [reason, datagrams] of Object.entries(drops)) {
      expect([
        reason,
        metricValue(metrics, 'relay_dropped_total', { component: 'udp:sessions', reason }),
      ]).toEqual([reason, datagrams.length]);
    }
    const warnings = relay.process.records('udp.dropped');
    expect(warnings.map((w) => w.reason).sort()).toEqual([
      'malformed',
      'too-large',
      'unknown-type',
    ]);
    expect(warnings.every((w) => w.component === 'udp:sessions' && w.dropped === 1)).toBe(true);
  });

  it("applies the task port's allow-list to the session port", async () => {
    const relay = await suite.start({
      udpServerConfig: { enableSourceValidation: true, allowedSources: ['10.20.30.41'] },
    });
    await relay.send(event('session.start', 'CORP\\jdoe', NODE1));
    await waitForMetric(
      relay.httpPort,
      'relay_dropped_total',
      { component: 'udp:sessions', reason: 'source-not-allowed' },
      (v) => v === 1,
    );
    expect(suite.env.subscriber.payloads(T.start)).toEqual([]);
  });
  it('publishes the active-user messages again every republishIntervalSeconds, unchanged', async () => {
    const relay = await suite.start({ sessionEvents: { republishIntervalSeconds: 1 } });
    const { subscriber } = suite.env;
    await relay.send(
      event('session.start', 'CORP\\jdoe', NODE1),
      event('session.start', 'EXT\\asmith', NODE2),
    );
    const full = JSON.stringify({
      count: 2,
      users: [
        { userDirectory: 'CORP', userId: 'jdoe', servers: [NODE1] },
        { userDirectory: 'EXT', userId: 'asmith', servers: [NODE2] },
      ],
      servers: { [NODE1]: 1, [NODE2]: 1 },
    });
    const latest: [string, string][] = [
      [T.count, '2'],
      [T.usernames, '["jdoe","asmith"]'],
      [T.perServer(NODE1), '1'],
      [T.perServer(NODE2), '1'],
      [T.full, full],
    ];
    for (const [topic, payload] of latest) {
      // Once when it changed, then at least twice more with nothing new to say.
      const messages = await waitForRepeats(subscriber, topic, payload, 3);
      const since = messages.findIndex((m) => m.payload === payload);
      expect([topic, messages.slice(since).every((m) => m.payload === payload)]).toEqual([
        topic,
        true,
      ]);
    }
    // The events themselves are said once.
    expect(subscriber.payloads(T.start)).toEqual([`${NODE1}: CORP/jdoe`, `${NODE2}: EXT/asmith`]);
  });

  it('drops and counts the events of users beyond maxTrackedUsers', async () => {
    const relay = await suite.start({ sessionEvents: { maxTrackedUsers: 1 } });
    await relay.send(
      event('session.start', 'CORP\\jdoe', NODE1),
      event('session.start', 'EXT\\asmith', NODE1),
      event('connection.open', 'CORP\\jdoe', NODE2),
    );
    const { subscriber } = suite.env;
    expect(await payloads(subscriber, T.open, 1)).toEqual([`${NODE2}: CORP/jdoe`]);
    const metrics = await relay.metrics();
    expect(
      metricValue(metrics, 'relay_dropped_total', {
        component: 'udp:sessions',
        reason: 'user-limit',
      }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'relay_pipeline_dropped_total', { pipeline: 'butler-user-sessions' }),
    ).toBe(1);
    expect(await payloads(subscriber, T.usernames, 2)).toEqual(['[]', '["jdoe"]']);
    expect(await payloads(subscriber, T.start, 1)).toEqual([`${NODE1}: CORP/jdoe`]);
    expect(await relay.process.waitForLog('udp.dropped')).toMatchObject({
      component: 'udp:sessions',
      reason: 'user-limit',
      dropped: 1,
    });
  });

  it('drops and counts datagrams over the rate limit of the session port', async () => {
    const relay = await suite.start({
      udpServerConfig: { rateLimit: { enable: true, maxMessagesPerMinute: 2 } },
    });
    await relay.send(
      event('session.start', 'CORP\\jdoe', NODE1),
      event('connection.open', 'CORP\\jdoe', NODE1),
      event('session.start', 'EXT\\asmith', NODE2),
      event('session.start', 'EXT\\bnew', NODE2),
      event('session.stop', 'CORP\\jdoe', NODE1),
    );
    await waitForMetric(
      relay.httpPort,
      'relay_dropped_total',
      { component: 'udp:sessions', reason: 'rate-limit' },
      (v) => v === 3,
    );
    const { subscriber } = suite.env;
    expect(await payloads(subscriber, T.open, 1)).toEqual([`${NODE1}: CORP/jdoe`]);
    expect(await payloads(subscriber, T.start, 1)).toEqual([`${NODE1}: CORP/jdoe`]);
    expect(await payloads(subscriber, T.count, 2)).toEqual(['0', '1']);
    expect(await relay.process.waitForLog('udp.dropped')).toMatchObject({
      component: 'udp:sessions',
      reason: 'rate-limit',
      detail: 'more than 2 datagrams in one minute',
    });
  });

  it('says error on the status topic while the port is taken, and start once it is free', async () => {
    const blocker = await takeUdpPort();
    const { port } = blocker.address();
    const config = sessionRelayConfig(suite.env, {
      udpServerConfig: { portSessionConnectionEvents: port },
    });
    const relay = RelayProcess.start(config);
    let blocked = true;
    try {
      const { subscriber } = suite.env;
      await subscriber.waitForMessage(T.serverStatus, (m) => m.payload === 'error', 15_000);
      const failed = await relay.waitForLog('pipeline.source-failed');
      expect(failed.err).toMatchObject({
        message: expect.stringContaining(`cannot listen for UDP on 127.0.0.1:${port}`) as unknown,
      });

      // Retained: a dashboard that connects now learns it too.
      const dashboard = await suite.lateSubscriber([T.serverStatus]);
      expect(await dashboard.waitFor(T.serverStatus, 1)).toEqual([
        expect.objectContaining({ payload: 'error', retain: true }),
      ]);

      await new Promise<void>((resolve) => blocker.close(resolve));
      blocked = false;
      await subscriber.waitForMessage(T.serverStatus, (m) => m.payload === 'start', 15_000);
      await relay.waitForLog('udp.listening', (r) => r.component === 'udp:sessions');
      expect(subscriber.payloads(T.serverStatus).slice(-1)).toEqual(['start']);
    } finally {
      if (blocked) blocker.close();
      await relay.kill();
    }
  });
});
