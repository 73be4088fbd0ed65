import { map, NEVER, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createEvent } from '../../lib/events.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { formatSchedulerDatagram } from '../../lib/qlik/log-appender-datagram.js';
import type { DatagramEvent, LogAppenderEvent } from '../../lib/qlik/log-appender-events.js';
import { parseLogAppender } from '../../lib/operators/parse-log-appender.js';
import { captureLog, DEBUG, type LogCapture } from '../support/log-capture.js';
import { droppedByReason } from '../support/metrics.js';
import { observableMatcher } from '../support/observable-matcher.js';

const sender = { address: '10.0.0.7', port: 50123, family: 'IPv4' } as const;

function datagram(text: string | Buffer, id: string): DatagramEvent {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return {
    ...createEvent('udp.datagram', 'udp:tasks', { bytes, sender, listener: 'tasks' }, id),
    receivedAt: 1000,
  };
}

const fields = {
  hostName: 'qs1',
  taskName: 'Reload - Sales',
  appName: 'Sales',
  user: 'CORP\\jdoe',
  taskId: '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10',
  appId: '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d',
  logTimeStamp: '2025-03-14 06:00:41,512',
};
const failedExec = 'a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7';
const abortedExec = 'b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e';

const inputs = {
  f: datagram(formatSchedulerDatagram({ ...fields, executionId: failedExec }), 'd1'),
  a: datagram(
    formatSchedulerDatagram({ ...fields, kind: 'task.aborted', executionId: abortedExec }),
    'd2',
  ),
  j: datagram(Buffer.from([0xff, 0x00, 0x3b]), 'd3'),
  u: datagram('/no-such-type/;a;b', 'd4'),
  c: datagram(
    formatSchedulerDatagram({ ...fields, executionId: failedExec, taskName: 'Line\r\nbreak' }),
    'd5',
  ),
};

function expected(kind: 'task.failed' | 'task.aborted', executionId: string): LogAppenderEvent {
  const tag = kind === 'task.failed' ? '/scheduler-task-failed/' : '/scheduler-task-aborted/';
  const line =
    kind === 'task.failed'
      ? ['ERROR', 'Max retries reached']
      : ['INFO', 'Execution State Change to Aborting'];
  return {
    id: `${kind}:${executionId}`,
    kind,
    source: 'udp:tasks',
    receivedAt: 1000,
    data: {
      tag,
      ...fields,
      logLevel: line[0] ?? '',
      executionId,
      logMessage: line[1] ?? '',
      cleaned: false,
      recovered: false,
      sender,
    },
  } as LogAppenderEvent;
}

const outputs = {
  F: expected('task.failed', failedExec),
  A: expected('task.aborted', abortedExec),
};

describe('parseLogAppender', () => {
  let scheduler: TestScheduler;
  let metrics: RelayMetrics;
  let captured: LogCapture;
  let deps: Parameters<typeof parseLogAppender>[0];

  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
    metrics = new RelayMetrics();
    captured = captureLog();
    deps = { log: captured.log, metrics, now: () => scheduler.now() };
  });

  it('turns datagrams into typed events', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<DatagramEvent>('-f-a-|', inputs);
      expectObservable(source.pipe(parseLogAppender(deps))).toBe('-F-A-|', outputs);
    });
  });

  it('drops malformed and unknown datagrams, counts them, and goes on with the next one', async () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<DatagramEvent>('-j-f-u-a-|', inputs);
      expectObservable(source.pipe(parseLogAppender(deps))).toBe('---F---A-|', outputs);
    });
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({
      malformed: 1,
      'unknown-type': 1,
    });
    expect(captured.warnings()).toEqual([
      expect.objectContaining({
        event: 'udp.dropped',
        reason: 'malformed',
        dropped: 1,
        sender: '10.0.0.7:50123',
        detail: 'not valid UTF-8',
        excerpt: '??;',
      }),
      expect.objectContaining({
        reason: 'unknown-type',
        dropped: 1,
        msg: expect.stringMatching(
          /^Unknown UDP message type: "\/no-such-type\/"; last from 10\.0\.0\.7:50123/,
        ),
        excerpt: '/no-such-type/;a;b',
      }),
    ]);
  });

  it('warns at most once a minute per reason, with the count since the previous warning', async () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<DatagramEvent>('j-j-j 1m j-j 59s j 1s j |', inputs);
      expectObservable(source.pipe(parseLogAppender(deps))).toBe('----- 1m --- 59s - 1s - |');
    });
    expect(captured.warnings().map((r) => r.dropped)).toEqual([1, 3, 3]);
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({ malformed: 7 });
  });

  it('reports the drops not yet warned about when the stream ends', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<DatagramEvent>('j-j-j-|', inputs).pipe(parseLogAppender(deps))).toBe(
        '------|',
      );
    });
    expect(captured.warnings().map((r) => r.dropped)).toEqual([1, 2]);
  });

  it('logs at debug which fields cleaning changed', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const cleanedEvent = {
        ...outputs.F,
        data: { ...outputs.F.data, taskName: 'Linebreak', cleaned: true },
      };
      expectObservable(cold<DatagramEvent>('-c|', inputs).pipe(parseLogAppender(deps))).toBe(
        '-C|',
        {
          C: cleanedEvent,
        },
      );
    });
    expect(captured.records.filter((r) => r.level === DEBUG)).toEqual([
      expect.objectContaining({
        event: 'udp.cleaned',
        fields: ['taskName'],
        eventId: outputs.F.id,
      }),
    ]);
  });

  it('passes source errors through', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<DatagramEvent>('-f-#', inputs, new Error('socket gone'));
      expectObservable(source.pipe(parseLogAppender(deps))).toBe(
        '-F-#',
        outputs,
        new Error('socket gone'),
      );
    });
  });

  it('unsubscribes from the source when unsubscribed early', () => {
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<DatagramEvent>('-f-a-f-|', inputs);
      expectObservable(source.pipe(parseLogAppender(deps)), '^--!').toBe('-F--', outputs);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('stays silent on empty and never', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<DatagramEvent>('|').pipe(parseLogAppender(deps))).toBe('|');
      expectObservable((NEVER as Observable<DatagramEvent>).pipe(parseLogAppender(deps))).toBe('');
    });
  });

  it('propagates a throwing upstream step as an error', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<DatagramEvent>('-f-|', inputs).pipe(
        map((): DatagramEvent => {
          throw new Error('step failed');
        }),
      );
      expectObservable(source.pipe(parseLogAppender(deps))).toBe(
        '-#',
        undefined,
        new Error('step failed'),
      );
      expectObservable(throwError(() => new Error('x')).pipe(parseLogAppender(deps))).toBe(
        '#',
        undefined,
        new Error('x'),
      );
    });
  });

  it('keeps separate warning throttles for separate subscriptions', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<DatagramEvent>('j|', inputs);
      const parse = parseLogAppender(deps);
      expectObservable(source.pipe(parse)).toBe('-|');
      expectObservable(source.pipe(parse)).toBe('-|');
    });
    expect(captured.warnings()).toHaveLength(2);
  });
});
