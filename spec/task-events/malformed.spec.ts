import { isUtf8 } from 'node:buffer';
import { expectedFullPayload, taskEventId } from '../support/butler-task-payload.js';
import { readDatagrams } from '../support/datagram-fixtures.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { metricValue } from '../support/relay-metrics-scrape.js';
import { seedSite } from '../support/sense-site.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';

const MAX_MESSAGE_SIZE = 2000;
const [FAILED = '', FAILED_FINANCE = ''] = readDatagrams('task-failed');
const [
  SEMICOLON_IN_MESSAGE = '',
  BAD_TASK_ID = '',
  BAD_APP_ID = '',
  SHORT_ENGINE = '',
  UNKNOWN_TYPE = '',
] = readDatagrams('butler-drops');

/** 256 bytes from a fixed linear congruential sequence: noise, the same at every run. */
function noise(): Buffer {
  let state = 0x2545f491;
  return Buffer.from(
    Array.from({ length: 256 }, () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 24;
    }),
  );
}

/** Datagrams the relay must drop, by the reason it counts them under. */
const DROPS = {
  malformed: [
    BAD_TASK_ID,
    BAD_APP_ID,
    SHORT_ENGINE,
    '/scheduler-task-failed/;qs-node1;Reload - Sales Dashboard',
    FAILED.replace('Reload - Sales Dashboard', 'Reload; Sales Dashboard'), // shifts the ids
    Buffer.concat([
      Buffer.from(FAILED.slice(0, 40)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(FAILED.slice(40)),
    ]),
    noise(),
    Buffer.alloc(0),
  ],
  'unknown-type': [UNKNOWN_TYPE, 'hello, relay'],
  'too-large': [FAILED.padEnd(MAX_MESSAGE_SIZE + 1, 'x')],
} as const;

describe('datagrams that are not task events', () => {
  const suite = useTaskEventsEnvironment({ seed: seedSite });

  it('are dropped and counted by reason, with one warning per reason; the next good one goes out', async () => {
    expect(isUtf8(noise())).toBe(false);
    const relay = await suite.start({ udpServerConfig: { maxMessageSize: MAX_MESSAGE_SIZE } });
    await relay.send(...Object.values(DROPS).flat(), FAILED_FINANCE);

    // The last datagram is good, so everything before it has been judged once it is out.
    await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    expect(suite.env.subscriber.payloads(TOPICS.failed)).toEqual(['Nightly finance load']);

    const metrics = await relay.metrics();
    for (const [reason, datagrams] of Object.entries(DROPS)) {
      expect([
        reason,
        metricValue(metrics, 'relay_dropped_total', { component: 'udp:tasks', reason }),
      ]).toEqual([reason, datagrams.length]);
    }
    expect(metricValue(metrics, 'relay_dropped_total')).toBe(Object.values(DROPS).flat().length);

    const warnings = relay.process.records('udp.dropped');
    expect(warnings.map((w) => w.reason).sort()).toEqual([
      'malformed',
      'too-large',
      'unknown-type',
    ]);
    expect(warnings.every((w) => w.dropped === 1)).toBe(true); // the rest wait for the next minute
  });

  it("keeps a ';' in the log message as text, where Butler drops the datagram", async () => {
    const relay = await suite.start();
    await relay.send(SEMICOLON_IN_MESSAGE);
    const [published] = await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    expect(published?.payload).toBe(
      expectedFullPayload(SEMICOLON_IN_MESSAGE, {
        kind: 'failed',
        task: taskFullFixture(),
        app: appFullFixture(),
        relay: { eventId: taskEventId('failed', SEMICOLON_IN_MESSAGE) },
      }),
    );
    expect(JSON.parse(published?.payload ?? '{}')).toMatchObject({
      logMessage: 'Error; see script log',
    });
  });
});
