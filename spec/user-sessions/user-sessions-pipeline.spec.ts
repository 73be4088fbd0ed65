import { Subject, filter, lastValueFrom, map, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { builtinPipelines } from '../../pipelines/index.js';
import { userSessionsPipeline } from '../../pipelines/user-sessions.js';
import { loadConfig, type RelayConfig } from '../../lib/config/index.js';
import type { OutboundMessage, RelayEvent } from '../../lib/events.js';
import type { ProxySessionKind } from '../../lib/qlik/proxy-session-events.js';
import { observableMatcher } from '../support/observable-matcher.js';
import { testContext } from '../support/pipeline-context.js';
import { captureLog } from '../support/log-capture.js';
import { droppedByReason } from '../support/metrics.js';
import {
  parsedSessionEvent,
  proxyDatagram,
  readProxyDatagrams,
  sessionsListening,
} from '../support/proxy-session-fixtures.js';
import { metricValue } from '../support/relay-metrics-scrape.js';

function configWith(env: Record<string, string> = {}): RelayConfig {
  return loadConfig({ env: { RELAY_SESSIONEVENTS_ENABLE: 'true', ...env } }).config;
}

const parsed = parsedSessionEvent;
const listening = sessionsListening;

/** Everything the pipeline publishes for these events, once they end. */
async function publish(
  events: readonly RelayEvent[],
  config = configWith(),
  context = testContext({ config }).context,
) {
  const input = new Subject<RelayEvent>();
  const output = lastValueFrom(
    userSessionsPipeline(config).build(input.asObservable(), context).pipe(toArray()),
  );
  for (const event of events) input.next(event);
  input.complete();
  return output;
}

/** `kind DIR\user on host` as a parsed event. */
function session(kind: ProxySessionKind, user: string, hostName = 'qs-node1'): RelayEvent {
  const [userDirectory = '', userId = ''] = user.split('\\');
  return parsed(proxyDatagram({ kind, hostName, userDirectory, userId }));
}

/** Without the JSON topics, for short lists of what is published. */
const WITHOUT_JSON = {
  RELAY_SESSIONEVENTS_JSONTOPIC: '',
  RELAY_SESSIONEVENTS_ACTIVEUSERSFULLTOPIC: '',
};

const line = (message: OutboundMessage): string =>
  `${message.topic} ${String(message.payload)}${message.retain ? ' (retained)' : ''}`;

describe('the user-sessions pipeline', () => {
  it('is built only when Relay.sessionEvents.enable is on', () => {
    const names = (config: RelayConfig) => builtinPipelines(config).map((p) => p.name);
    expect(names(loadConfig({ env: {} }).config)).not.toContain('butler-user-sessions');
    expect(names(configWith())).toContain('butler-user-sessions');
  });

  it("publishes Butler's messages for the reference sequence, with counts when they change", async () => {
    const messages = await publish(
      readProxyDatagrams().map(parsed),
      configWith({
        RELAY_SESSIONEVENTS_JSONTOPIC: '',
        RELAY_SESSIONEVENTS_ACTIVEUSERSFULLTOPIC: '',
      }),
    );
    expect(messages.map(line)).toEqual([
      'qliksense/session/start qs-node1.corp.example.com: CORP/jdoe',
      'qliksense/users/activeperserver/qs-node1.corp.example.com/count 1 (retained)',
      'qliksense/users/active/count 1 (retained)',
      'qliksense/users/active/usernames ["jdoe"] (retained)',
      'qliksense/connection/open qs-node1.corp.example.com: CORP/jdoe',
      'qliksense/session/start QS-NODE2: EXT/asmith',
      'qliksense/users/activeperserver/QS-NODE2/count 1 (retained)',
      'qliksense/users/active/count 2 (retained)',
      'qliksense/users/active/usernames ["jdoe","asmith"] (retained)',
      'qliksense/connection/close QS-NODE2: EXT/asmith',
      'qliksense/session/stop qs-node1.corp.example.com: CORP/jdoe',
      'qliksense/users/activeperserver/qs-node1.corp.example.com/count 0 (retained)',
      'qliksense/users/active/count 1 (retained)',
      'qliksense/users/active/usernames ["asmith"] (retained)',
      'qliksense/butler/session_server stop (retained)',
    ]);
  });

  it('says start when listening, with where things stand, and stop at the end', async () => {
    const messages = await publish([listening]);
    expect(messages.map(line)).toEqual([
      'qliksense/butler/session_server start (retained)',
      'qliksense/users/active/count 0 (retained)',
      'qliksense/users/active/usernames [] (retained)',
      'qliksense/users/active/full {"count":0,"users":[],"servers":{}} (retained)',
      'qliksense/butler/session_server stop (retained)',
    ]);
  });

  it('publishes every event as JSON on one topic, in arrival order, and the full summary', async () => {
    const [start, open] = readProxyDatagrams().map(parsed) as [RelayEvent, RelayEvent];
    const messages = await publish([start, open]);
    const json = messages.filter((m) => m.topic === 'qliksense/session/events');
    expect(json.map((m) => JSON.parse(String(m.payload)) as unknown)).toEqual([
      {
        kind: 'session.start',
        tag: '/proxy-session/',
        hostName: 'qs-node1.corp.example.com',
        command: 'Start session',
        userDirectory: 'CORP',
        userId: 'jdoe',
        origin: 'AppAccess',
        context: '/hub',
        logMessage: "Start session for user 'CORP\\jdoe'",
        cleaned: false,
        recovered: false,
        sender: '10.0.0.21:50321',
        receivedAt: '1970-01-01T00:00:00.000Z',
        eventId: start.id,
      },
      expect.objectContaining({
        kind: 'connection.open',
        tag: '/proxy-connection/',
        eventId: open.id,
      }) as unknown,
    ]);
    expect(json.every((m) => m.eventId !== undefined && m.retain !== true)).toBe(true);
    const full = messages.filter((m) => m.topic === 'qliksense/users/active/full');
    expect(full.map((m) => JSON.parse(String(m.payload)) as unknown)).toEqual([
      {
        count: 1,
        users: [{ userDirectory: 'CORP', userId: 'jdoe', servers: ['qs-node1.corp.example.com'] }],
        servers: { 'qs-node1.corp.example.com': 1 },
      },
    ]);
  });

  it('lists CORP\\jdoe and EXT\\jdoe as two users, in Butler’s list of user ids', async () => {
    const events = ['CORP', 'EXT'].map((userDirectory) =>
      parsed(
        proxyDatagram({
          kind: 'session.start',
          hostName: 'qs-node1',
          userDirectory,
          userId: 'jdoe',
        }),
      ),
    );
    const messages = await publish(events);
    const usernames = messages.filter((m) => m.topic === 'qliksense/users/active/usernames');
    expect(usernames.map((m) => m.payload)).toEqual(['["jdoe"]', '["jdoe","jdoe"]']);
  });

  it('makes a host name a single, safe topic level', async () => {
    const event = parsed(
      proxyDatagram({
        kind: 'session.start',
        hostName: 'node/+#1',
        userDirectory: 'CORP',
        userId: 'jdoe',
      }),
    );
    const messages = await publish([event]);
    expect(messages.map((m) => m.topic)).toContain(
      'qliksense/users/activeperserver/node___1/count',
    );
  });

  it('takes a user off when the session timeout passes, on the pipeline’s scheduler', async () => {
    const scheduler = new TestScheduler(observableMatcher);
    // 0.05 minutes = 3 s, looked for every 750 ms: found by the sweep at 3 s.
    const config = configWith({
      RELAY_SESSIONEVENTS_SESSIONTIMEOUTMINUTES: '0.05',
      RELAY_SESSIONEVENTS_REPUBLISHINTERVALSECONDS: '0',
    });
    const { context, metrics } = testContext({ config });
    const start = parsed(readProxyDatagrams()[0] as string);
    scheduler.run(({ hot, expectObservable }) => {
      const counts = userSessionsPipeline(config, { scheduler })
        .build(hot('a', { a: start }), context)
        .pipe(
          filter((m) => m.topic === 'qliksense/users/active/count'),
          map((m) => String(m.payload)),
        );
      expectObservable(counts, '^ 4000ms !').toBe('a 2999ms b', { a: '1', b: '0' });
    });
    const scrape = await metrics.registry.metrics();
    expect(metricValue(scrape, 'relay_sessions_expired_total')).toBe(1);
    expect(metricValue(scrape, 'relay_active_users')).toBe(0);
  });
  it('keeps a user with an app open past the session timeout, until maxSessionHours', async () => {
    const scheduler = new TestScheduler(observableMatcher);
    // 3 s without a connection, 7.2 s with one; looked for every 750 ms.
    const config = configWith({
      RELAY_SESSIONEVENTS_SESSIONTIMEOUTMINUTES: '0.05',
      RELAY_SESSIONEVENTS_MAXSESSIONHOURS: '0.002',
      RELAY_SESSIONEVENTS_REPUBLISHINTERVALSECONDS: '0',
    });
    const { log, events: logged } = captureLog();
    const { context, metrics } = testContext({ config });
    scheduler.run(({ hot, expectObservable }) => {
      const events = hot('a', { a: session('connection.open', 'CORP\\jdoe') });
      const counts = userSessionsPipeline(config, { scheduler })
        .build(events, { ...context, log })
        .pipe(
          filter((m) => m.topic === 'qliksense/users/active/count'),
          map((m) => String(m.payload)),
        );
      expectObservable(counts, '^ 9000ms !').toBe('a 7499ms b', { a: '1', b: '0' });
    });
    expect(metricValue(await metrics.registry.metrics(), 'relay_sessions_expired_total')).toBe(1);
    expect(logged('user-sessions.expired')).toEqual([
      expect.objectContaining({
        count: 1,
        users: ['CORP\\jdoe on qs-node1'],
        withConnectionOpen: 1,
        maxSessionHours: 0.002,
      }),
    ]);
  });

  it('drops, counts and warns about an event that would follow one user too many', async () => {
    const config = configWith({ ...WITHOUT_JSON, RELAY_SESSIONEVENTS_MAXTRACKEDUSERS: '1' });
    const { log, warnings } = captureLog();
    const { context, metrics } = testContext({ config });
    const input = new Subject<RelayEvent>();
    const output = lastValueFrom(
      userSessionsPipeline(config)
        .build(input, { ...context, log })
        .pipe(toArray()),
    );
    input.next(session('session.start', 'CORP\\jdoe'));
    input.next(session('session.start', 'EXT\\asmith')); // dropped
    input.next(session('session.start', 'EXT\\asmith', 'QS-NODE2')); // dropped
    input.next(session('session.start', 'CORP\\jdoe', 'QS-NODE2')); // a known user: counted
    input.next(session('session.stop', 'CORP\\jdoe')); // adds nobody: published
    input.complete();
    expect((await output).map(line)).toEqual([
      'qliksense/session/start qs-node1: CORP/jdoe',
      'qliksense/users/activeperserver/qs-node1/count 1 (retained)',
      'qliksense/users/active/count 1 (retained)',
      'qliksense/users/active/usernames ["jdoe"] (retained)',
      'qliksense/session/start QS-NODE2: CORP/jdoe',
      'qliksense/users/activeperserver/QS-NODE2/count 1 (retained)',
      'qliksense/session/stop qs-node1: CORP/jdoe',
      'qliksense/users/activeperserver/qs-node1/count 0 (retained)',
      'qliksense/butler/session_server stop (retained)',
    ]);
    expect(await droppedByReason(metrics, 'udp:sessions')).toEqual({ 'user-limit': 2 });
    expect(warnings().map((w) => [w.event, w.reason, w.dropped])).toEqual([
      ['udp.dropped', 'user-limit', 1],
      ['udp.dropped', 'user-limit', 1], // the second, written when the events ended
    ]);
  });

  it('drops and counts an event from one proxy too many', async () => {
    const config = configWith({ ...WITHOUT_JSON, RELAY_SESSIONEVENTS_MAXPROXIES: '1' });
    const { context, metrics } = testContext({ config });
    const messages = await publish(
      [
        session('session.start', 'CORP\\jdoe'),
        session('connection.open', 'EXT\\asmith', 'QS-NODE2'), // dropped
        session('session.start', 'EXT\\asmith'),
      ],
      config,
      context,
    );
    expect(messages.filter((m) => m.topic.includes('QS-NODE2'))).toEqual([]);
    expect(messages.filter((m) => m.topic === 'qliksense/connection/open')).toEqual([]);
    expect(
      messages.filter((m) => m.topic === 'qliksense/users/active/count').map((m) => m.payload),
    ).toEqual(['1', '2']);
    expect(await droppedByReason(metrics, 'udp:sessions')).toEqual({ 'proxy-limit': 1 });
  });

  it('keeps who is active when its output is subscribed again, as after a step error', async () => {
    const config = configWith(WITHOUT_JSON);
    const { context } = testContext({ config });
    const input = new Subject<RelayEvent>();
    const output = userSessionsPipeline(config).build(input, context);

    const first: OutboundMessage[] = [];
    const subscription = output.subscribe((message) => first.push(message));
    input.next(session('session.start', 'CORP\\jdoe'));
    subscription.unsubscribe();
    expect(first.map(line)).toContain('qliksense/users/active/usernames ["jdoe"] (retained)');

    const again = lastValueFrom(output.pipe(toArray()));
    input.next(session('session.start', 'EXT\\asmith', 'QS-NODE2'));
    input.complete();
    expect((await again).map(line)).toEqual([
      // where things stand, said at once
      'qliksense/users/activeperserver/qs-node1/count 1 (retained)',
      'qliksense/users/active/count 1 (retained)',
      'qliksense/users/active/usernames ["jdoe"] (retained)',
      'qliksense/session/start QS-NODE2: EXT/asmith',
      'qliksense/users/activeperserver/QS-NODE2/count 1 (retained)',
      'qliksense/users/active/count 2 (retained)',
      'qliksense/users/active/usernames ["jdoe","asmith"] (retained)',
      'qliksense/butler/session_server stop (retained)',
    ]);
  });
});
