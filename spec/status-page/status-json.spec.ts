import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testEventDatagram } from '../../lib/cli/test-event-datagram.js';
import { SECRET_MASK } from '../../lib/config/mask-config.js';
import type { RecentRow, StatusSnapshot } from '../../lib/http/status-page/status-snapshot.js';
import { sendDatagram, sendDatagrams } from '../support/udp-sender.js';
import {
  CONFIGURED_SECRET,
  postToRest,
  publishToBroker,
  readStatus,
  sendTestEvent,
  startStatusRelay,
  waitForStatus,
  type StatusRelay,
} from './support/status-relay.js';
import { someNumber, someString } from '../support/typed-matchers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TASK_EVENTS = 'butler-task-events';
const START_TASK = 'butler-start-task';

const pipeline = (status: StatusSnapshot, name: string) => {
  const found = status.pipelines.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no pipeline ${name} in ${JSON.stringify(status)}`);
  return found;
};

/** A rate per second, or null while the relay cannot tell one yet. */
const aRate: unknown = {
  asymmetricMatch: (value: unknown) => value === null || (typeof value === 'number' && value >= 0),
  toString: () => 'aRate',
  toAsymmetricMatcher: () => 'a rate or null',
};

const recentOf = (status: StatusSnapshot, test: (row: RecentRow) => boolean) =>
  status.recent.filter(test);

const dropCount = (status: StatusSnapshot, component: string, reason: string): number =>
  status.drops.find((drop) => drop.component === component && drop.reason === reason)?.count ?? 0;

describe('the status page of the relay process', () => {
  let relay: StatusRelay;

  beforeAll(async () => {
    relay = await startStatusRelay();
  });
  afterAll(async () => {
    await relay.close();
  });

  it('serves the page, its script and style, with a policy that allows nothing else', async () => {
    const page = await fetch(`${relay.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<title>sense-mqtt-relay status</title>');
    expect(html).toContain('src="status-page.js"');

    const script = await fetch(`${relay.base}/status-page.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("fetch('status.json'");
    const style = await fetch(`${relay.base}/status-page.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    await style.body?.cancel();
  });

  it('describes the relay, its broker, pipelines and outbox in /status.json', async () => {
    const status = await readStatus(relay);
    const { version } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
      version: string;
    };
    expect(status.relay).toEqual({
      version,
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      generatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      healthy: true,
      rateWindowSeconds: aRate,
    });
    expect(status.brokers).toEqual([
      {
        name: 'main',
        state: 'connected',
        since: someString(),
        url: relay.broker.url,
        clientId: 'status-page-relay',
        acknowledged: someNumber(),
        acknowledgedPerSecond: aRate,
        reconnects: 0,
      },
    ]);
    expect(status.pipelines.map((p) => p.name)).toEqual(
      expect.arrayContaining([TASK_EVENTS, START_TASK]),
    );
    expect(pipeline(status, TASK_EVENTS)).toEqual({
      name: TASK_EVENTS,
      running: true,
      eventsIn: someNumber(),
      eventsInPerSecond: aRate,
      messagesOut: someNumber(),
      messagesOutPerSecond: aRate,
      dropped: 0,
      droppedPerSecond: aRate,
      stepErrors: 0,
      waiting: 0,
    });
    expect(status.outbox).toEqual({
      store: 'disk',
      waiting: someNumber(),
      accepted: someNumber(),
      replayedAtStart: 0,
      writeErrors: 0,
    });
    expect(status.publishersTotal).toBe(status.publishers.length);
    expect(Array.isArray(status.drops)).toBe(true);
  });

  it('counts a test event in and its messages out, shows them, and tells the rates', async () => {
    const before = await readStatus(relay);
    const taskEvents = pipeline(before, TASK_EVENTS);
    await sendTestEvent(relay, 'Status page reload');

    const after = await waitForStatus(
      relay,
      'the test event and its two messages',
      (status) => pipeline(status, TASK_EVENTS).messagesOut >= taskEvents.messagesOut + 2,
    );
    expect(pipeline(after, TASK_EVENTS).eventsIn).toBe(taskEvents.eventsIn + 1);
    const [seen] = recentOf(after, (row) => row.direction === 'in' && row.kind === 'task.failed');
    expect(seen).toMatchObject({
      pipeline: TASK_EVENTS,
      source: 'udp:tasks',
      id: someString(),
    });
    expect(seen?.excerpt).toContain('Status page reload');
    const basic = recentOf(
      after,
      (row) => row.direction === 'out' && row.topic === 'qliksense/task_failure',
    );
    expect(basic[0]).toMatchObject({
      pipeline: TASK_EVENTS,
      excerpt: 'Status page reload',
      broker: 'main',
    });
    expect(basic[0]?.id).toBe(seen?.id); // the message carries its event's id

    // Rates come from readings at least a second apart; the reading before the event is one.
    const rated = await waitForStatus(
      relay,
      'a rate window',
      (s) => s.relay.rateWindowSeconds !== null,
    );
    expect(pipeline(rated, TASK_EVENTS).eventsInPerSecond).toBeGreaterThan(0);
    expect(pipeline(rated, TASK_EVENTS).messagesOutPerSecond).toBeGreaterThan(0);
    expect(rated.brokers[0]?.acknowledgedPerSecond).toBeGreaterThan(0);
    expect(rated.outbox.accepted).toBeGreaterThanOrEqual(before.outbox.accepted + 2);
  });

  it("counts a pipeline's own drops for it, and its listener's under drops only", async () => {
    const before = await readStatus(relay);
    const taskEvents = pipeline(before, TASK_EVENTS);

    // Not a task event: the listener drops it before any pipeline sees it.
    await sendDatagram(relay.udpPort, '/scheduler-task-failed/;qs-node1;Reload - Sales Dashboard');
    const malformed = await waitForStatus(
      relay,
      'the malformed datagram among the drops',
      (s) => dropCount(s, 'udp:tasks', 'malformed') > dropCount(before, 'udp:tasks', 'malformed'),
    );
    expect(pipeline(malformed, TASK_EVENTS)).toMatchObject({
      eventsIn: taskEvents.eventsIn,
      dropped: taskEvents.dropped,
    });

    // The same task event twice: the pipeline's de-duplication drops the copy.
    const { text } = testEventDatagram({ type: 'failed', taskName: 'Status page duplicate' });
    await sendDatagrams(relay.udpPort, [text, text]);
    const after = await waitForStatus(
      relay,
      'the copy dropped by the pipeline',
      (s) => pipeline(s, TASK_EVENTS).dropped > taskEvents.dropped,
    );
    expect(pipeline(after, TASK_EVENTS)).toMatchObject({
      eventsIn: taskEvents.eventsIn + 2,
      dropped: taskEvents.dropped + 1,
      stepErrors: 0,
    });
    expect(pipeline(after, START_TASK).dropped).toBe(0);
    expect(after.drops).toContainEqual({
      component: 'udp:tasks',
      reason: 'duplicate',
      count: dropCount(before, 'udp:tasks', 'duplicate') + 1,
      perSecond: aRate,
    });

    // Prometheus reads the same counts as the page.
    const metrics = await (await fetch(`${relay.base}/metrics`)).text();
    expect(metrics).toContain(
      `relay_pipeline_dropped_total{pipeline="${TASK_EVENTS}"} ${taskEvents.dropped + 1}\n`,
    );
    expect(metrics).toContain(`relay_pipeline_dropped_total{pipeline="${START_TASK}"} 0\n`);

    const rated = await waitForStatus(
      relay,
      'a drop rate',
      (s) => (pipeline(s, TASK_EVENTS).droppedPerSecond ?? 0) > 0,
    );
    expect(pipeline(rated, START_TASK).droppedPerSecond).toBe(0);
  });

  it('masks secrets and cuts long payloads that arrive over MQTT', async () => {
    const payload = JSON.stringify({
      user: 'ops',
      password: 'hunter2-mqtt',
      apiKey: 'k-123-mqtt',
      note: `the relay's own ${CONFIGURED_SECRET}`,
      filler: 'f'.repeat(5_000),
    });
    await publishToBroker(relay, 'qliksense/status-page-test', payload);

    const status = await waitForStatus(relay, 'the MQTT message among the events', (s) =>
      s.recent.some((row) => row.direction === 'in' && row.excerpt.includes('status-page-test')),
    );
    const [row] = recentOf(
      status,
      (r) => r.direction === 'in' && r.excerpt.includes('status-page-test'),
    );
    expect(row).toMatchObject({ pipeline: START_TASK, kind: 'mqtt.message' });
    const excerpt = row?.excerpt ?? '';
    for (const secret of ['hunter2-mqtt', 'k-123-mqtt', CONFIGURED_SECRET]) {
      expect(excerpt).not.toContain(secret);
    }
    expect(excerpt).toContain(`"payload":{"user":"ops","password":"${SECRET_MASK}"`);
    expect(Array.from(excerpt)).toHaveLength(300);
    expect(excerpt.endsWith('…')).toBe(true);
  });

  it('masks secrets and cuts long payloads posted to the REST API', async () => {
    const message = JSON.stringify({ token: 'rest-token-1', text: 'y'.repeat(10_000) });
    await postToRest(relay, 'rest-test/status-page', message);

    const status = await waitForStatus(relay, 'the REST message among the events', (s) =>
      s.recent.some((row) => row.direction === 'out' && row.topic === 'rest-test/status-page'),
    );
    const [row] = recentOf(
      status,
      (r) => r.direction === 'out' && r.topic === 'rest-test/status-page',
    );
    expect(row?.pipeline).toBe('rest');
    expect(row?.excerpt).toMatch(new RegExp(`^\\{"token":"\\*{8}","text":"y+…$`));
    expect(Array.from(row?.excerpt ?? '')).toHaveLength(300);
  });

  it('never shows the configured password anywhere in /status.json', async () => {
    const text = await (await fetch(`${relay.base}/status.json`)).text();
    expect(text).not.toContain(CONFIGURED_SECRET);
  });
});

describe('the package', () => {
  it('ships the status page', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', '--dry-run', '--json', '--ignore-scripts'],
      { cwd: ROOT },
    );
    const [packed] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(['web/status-page.html', 'web/status-page.js', 'web/status-page.css']),
    );
  });
});
