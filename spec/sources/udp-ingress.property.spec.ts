import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { filter, tap } from 'rxjs';
import { silentLogger } from '../../lib/log/logger.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { admitDatagrams } from '../../lib/operators/admit-datagrams.js';
import { parseLogAppender } from '../../lib/operators/parse-log-appender.js';
import { formatSchedulerDatagram } from '../../lib/qlik/log-appender-datagram.js';
import type { LogAppenderEvent } from '../../lib/qlik/log-appender-events.js';
import { parseLogAppenderDatagram } from '../../lib/qlik/parse-log-appender-datagram.js';
import { isDatagramEvent, udpSource } from '../../lib/sources/udp.js';
import { collect, type Collected } from '../support/collect-events.js';
import { droppedByReason } from '../support/metrics.js';

// Fixed seed and bounded runs: the same cases on every machine, in a few seconds.
fc.configureGlobal({ seed: 42, numRuns: 60 });

const MAX_MESSAGE_SIZE = 1200;
const sender = { address: '127.0.0.1', port: 1, family: 'IPv4' } as const;

/** Text that likes the characters a parser trips over: ';', control characters, surrogates. */
const tricky = fc.string({
  unit: fc.oneof(
    fc.constantFrom(';', '\r', '\n', '\t', '\u0000', '\u007f', 'ä', '😀', '/', '-'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 30,
});
const idLike = fc.oneof(fc.uuid(), fc.constant(''), tricky);
const tag = fc.oneof(
  fc.constantFrom(
    '/scheduler-task-failed/',
    '/scheduler-reload-failed/',
    '/scheduler-task-aborted/',
    '/scheduler-task-success//',
    '/scheduler-distribute/',
    '/engine-reload-failed/',
    '/SCHEDULER-TASK-FAILED/',
    '/scheduler-task-failed/\r\n',
  ),
  tricky,
);
/** Eleven plausible fields with random damage, cut or padded to a random field count. */
const nearValid = fc
  .tuple(
    tag,
    fc.array(fc.oneof(tricky, idLike), { minLength: 4, maxLength: 4 }),
    idLike,
    idLike,
    fc.array(tricky, { minLength: 2, maxLength: 2 }),
    idLike,
    tricky,
    fc.integer({ min: 1, max: 14 }),
  )
  .map(([t, names, taskId, appId, tsLevel, executionId, message, count]) => {
    const fields = [t, ...names, taskId, appId, ...tsLevel, executionId, message];
    while (fields.length < count) fields.push('x');
    return Buffer.from(fields.slice(0, count).join(';'), 'utf8');
  });
/** Short junk, and junk of any length up to well past the size limit. */
const randomBytes = fc
  .oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 3000, size: 'max' }))
  .map((bytes) => Buffer.from(bytes));
const datagram = fc.oneof(randomBytes, nearValid);

/** What the ingress path must do with one datagram: parse it, or drop it for this reason. */
function expectedOutcome(bytes: Buffer): string {
  if (bytes.length > MAX_MESSAGE_SIZE) return 'too-large';
  const result = parseLogAppenderDatagram(bytes, sender, 'prop', 0);
  return 'problem' in result ? result.problem.reason : 'event';
}

function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

function delta(after: Record<string, number>, before: Record<string, number>) {
  const counts: Record<string, number> = {};
  for (const [reason, value] of Object.entries(after)) {
    const grown = value - (before[reason] ?? 0);
    if (grown > 0) counts[reason] = grown;
  }
  return counts;
}

describe('the UDP ingress path (socket → admitDatagrams → parseLogAppender)', () => {
  const metrics = new RelayMetrics();
  const log = silentLogger();
  let port = 0;
  let events: Collected<LogAppenderEvent>;
  let client: Socket;

  beforeAll(async () => {
    let bound: (port: number) => void = () => undefined;
    const listening = new Promise<number>((resolve) => (bound = resolve));
    const path = udpSource({ name: 'prop', host: '127.0.0.1', port: 0 }, { log, metrics }).pipe(
      admitDatagrams(
        {
          enableSourceValidation: true,
          allowedSources: ['127.0.0.1'],
          maxMessageSize: MAX_MESSAGE_SIZE,
        },
        { log, metrics },
      ),
      tap((event) => event.kind === 'udp.listening' && bound(event.data.port)),
      filter(isDatagramEvent),
      parseLogAppender({ log, metrics }),
    );
    events = collect(path);
    port = await listening;
    client = createSocket('udp4');
  });

  afterAll(() => {
    events.subscription.unsubscribe();
    client.close();
  });

  const send = (bytes: Buffer) =>
    new Promise<void>((resolve, reject) =>
      client.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );

  /** Sends the batch and then a good datagram; resolves once that one has come out parsed. */
  async function sendBatchThenGood(batch: Buffer[]): Promise<LogAppenderEvent[]> {
    const seen = events.values.length;
    for (const bytes of batch) await send(bytes);
    const executionId = randomUUID();
    await send(
      Buffer.from(
        formatSchedulerDatagram({
          hostName: 'qs1',
          taskName: 'after the junk',
          user: 'CORP\\svc',
          taskId: randomUUID(),
          logTimeStamp: '2025-03-14 06:00:41,512',
          executionId,
        }),
      ),
    );
    await events.next((event) => event.id === `task.failed:${executionId}`);
    return events.values.slice(seen, -1);
  }

  it('turns every datagram into one event or one counted drop, and parses the good one after', async () => {
    const seenOutcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(datagram, { maxLength: 20 }), async (batch) => {
        const before = await droppedByReason(metrics, 'udp:prop');
        const parsed = await sendBatchThenGood(batch);
        const dropped = delta(await droppedByReason(metrics, 'udp:prop'), before);

        const expected = tally(batch.map(expectedOutcome));
        Object.keys(expected).forEach((outcome) => seenOutcomes.add(outcome));
        const { event: expectedEvents = 0, ...expectedDrops } = expected;
        expect(parsed).toHaveLength(expectedEvents);
        expect(dropped).toEqual(expectedDrops);
        expect(events.errors).toEqual([]);
      }),
    );
    // The generators must reach every outcome, or the property proves less than it claims.
    expect([...seenOutcomes].sort()).toEqual(['event', 'malformed', 'too-large', 'unknown-type']);
  });

  it('keeps working after a flood of random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(randomBytes, { minLength: 50, maxLength: 100 }), async (batch) => {
        await sendBatchThenGood(batch);
        expect(events.errors).toEqual([]);
        expect(events.subscription.closed).toBe(false);
      }),
      { numRuns: 5 },
    );
  });
});
