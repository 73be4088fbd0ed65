import { readFileSync } from 'node:fs';
import { MAX_FIELD_LENGTH } from '../../lib/qlik/clean-field.js';
import {
  formatEngineReloadFailedDatagram,
  formatLog4netTimestamp,
  formatSchedulerDatagram,
  type SchedulerDatagramFields,
} from '../../lib/qlik/log-appender-datagram.js';
import type {
  DatagramSender,
  EngineReloadFailedData,
  LogAppenderEvent,
  SchedulerTaskData,
} from '../../lib/qlik/log-appender-events.js';
import {
  parseLogAppenderDatagram,
  type ParseResult,
} from '../../lib/qlik/parse-log-appender-datagram.js';
import { SCHEDULER_WIRE_ORDER } from '../support/task-event-fixtures.js';

const sender: DatagramSender = { address: '10.0.0.7', port: 50123, family: 'IPv4' };
const receivedAt = 1_742_000_000_000;

function fixture(name: string): string[] {
  const text = readFileSync(new URL(`../fixtures/datagrams/${name}.txt`, import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line !== '');
}

function parse(text: string | Buffer): ParseResult {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return parseLogAppenderDatagram(bytes, sender, 'tasks', receivedAt);
}

function parsed(text: string | Buffer): LogAppenderEvent {
  const result = parse(text);
  if ('problem' in result) throw new Error(`unexpected problem: ${result.problem.detail}`);
  return result.event;
}

function scheduler(text: string | Buffer): SchedulerTaskData {
  const event = parsed(text);
  if (event.kind === 'engine.reload-failed') throw new Error('expected a scheduler event');
  return event.data;
}

function problemOf(text: string | Buffer) {
  const result = parse(text);
  if (!('problem' in result)) throw new Error(`expected a problem, got ${result.event.kind}`);
  return result.problem;
}

const clean: SchedulerDatagramFields = {
  hostName: 'qs-node1.corp.example.com',
  taskName: 'Reload - Sales Dashboard',
  appName: 'Sales Dashboard',
  user: 'INTERNAL\\sa_scheduler',
  taskId: '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10',
  appId: '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d',
  logTimeStamp: '2025-03-14 06:00:41,512',
  executionId: 'a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7',
};

describe('parseLogAppenderDatagram on the reference datagrams', () => {
  const cases: [file: string, kind: LogAppenderEvent['kind']][] = [
    ['task-failed', 'task.failed'],
    ['task-aborted', 'task.aborted'],
    ['task-success', 'task.success'],
    ['task-distribute', 'task.distribute'],
  ];

  describe.each(cases)('%s', (file, kind) => {
    it.each(fixture(file))(`becomes ${kind} with every field in place: %s`, (line) => {
      const event = parsed(line);
      const parts = line.split(';');
      const data = event.data as SchedulerTaskData;
      expect(event.kind).toBe(kind);
      SCHEDULER_WIRE_ORDER.slice(0, 10).forEach((name, index) => {
        expect(data[name]).toBe(index === 0 ? parts[0]?.toLowerCase() : parts[index]);
      });
      expect(data.logMessage).toBe(parts.slice(10).join(';'));
      expect(data.recovered).toBe(parts.length > 11);
      expect(data.cleaned).toBe(false);
      expect(data.sender).toEqual(sender);
      expect(event.id).toBe(`${kind}:${parts[9]}`);
      expect(event.source).toBe('udp:tasks');
      expect(event.receivedAt).toBe(receivedAt);
    });
  });

  it('reads the first failed datagram field by field', () => {
    const [first] = fixture('task-failed');
    expect(parsed(first ?? '')).toEqual({
      id: 'task.failed:a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7',
      kind: 'task.failed',
      source: 'udp:tasks',
      receivedAt,
      data: {
        tag: '/scheduler-task-failed/',
        hostName: 'qs-node1.corp.example.com',
        taskName: 'Reload - Sales Dashboard',
        appName: 'Sales Dashboard',
        user: 'INTERNAL\\sa_scheduler',
        taskId: '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10',
        appId: '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d',
        logTimeStamp: '2025-03-14 06:00:41,512',
        logLevel: 'ERROR',
        executionId: 'a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7',
        logMessage: 'Max retries reached. Task will not be retried.',
        cleaned: false,
        recovered: false,
        sender,
      },
    });
  });

  it('accepts the success tag with the doubled slash that the sample XML sends', () => {
    const line = fixture('task-success')[1] ?? '';
    expect(line.startsWith('/scheduler-task-success//;')).toBe(true);
    expect(parsed(line).kind).toBe('task.success');
    expect(scheduler(line).tag).toBe('/scheduler-task-success//');
  });

  it('keeps the extra fields of a distribute datagram as part of its log message', () => {
    const line = fixture('task-distribute')[1] ?? '';
    const data = scheduler(line);
    expect(data.logMessage).toBe(
      'Exiting execute of Distribute task request.;extra;fields;are;ignored',
    );
    expect(data.recovered).toBe(true);
  });

  it('reads the engine datagram', () => {
    const [line] = fixture('engine-reload-failed');
    const event = parsed(line ?? '');
    expect(event.kind).toBe('engine.reload-failed');
    const data: EngineReloadFailedData = {
      tag: '/engine-reload-failed/',
      hostName: 'qs-node2.corp.example.com',
      appId: '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d',
      sessionId: '3f2e1d0c-9b8a-4776-8655-443322110099',
      userDirectory: 'CORP',
      userId: 'jdoe',
      logTimeStamp: '2025-03-14 10:12:03,004',
      logLevel: 'ERROR',
      logMessage: 'Reload failed in app',
      cleaned: false,
      recovered: false,
      sender,
    };
    expect(event.data).toEqual(data);
  });
});

describe('parseLogAppenderDatagram on the datagrams Butler drops', () => {
  const [semicolonInMessage, badTaskId, badAppId, shortEngine, unknownType] =
    fixture('butler-drops');

  it('recovers a ";" in the log message instead of dropping the datagram', () => {
    const data = scheduler(semicolonInMessage ?? '');
    expect(data.logMessage).toBe('Error; see script log');
    expect(data.recovered).toBe(true);
    expect(data.executionId).toBe('a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7');
  });

  it.each([
    ['a task id that is no GUID', badTaskId, 'malformed', 'task id "not-a-guid" is not a GUID'],
    ['an app id that is no GUID', badAppId, 'malformed', 'app id "7c1e5a2d" is not a GUID'],
    ['an engine datagram of 8 fields', shortEngine, 'malformed', 'expects 9 fields, got 8'],
    ['an unknown tag', unknownType, 'unknown-type', 'Unknown UDP message type: "/unknown-type/"'],
  ])('drops %s', (_name, line, reason, detail) => {
    const problem = problemOf(line ?? '');
    expect(problem.reason).toBe(reason);
    expect(problem.detail).toContain(detail);
  });
});

describe('parseLogAppenderDatagram tags', () => {
  it.each([
    ['/scheduler-reloadtask-failed/', 'task.failed'],
    ['/scheduler-reload-failed/', 'task.failed'],
    ['/scheduler-reload-aborted/', 'task.aborted'],
    ['/scheduler-reloadtask-success/', 'task.success'],
    ['/SCHEDULER-TASK-FAILED/', 'task.failed'],
    ['/Scheduler-Distribute/', 'task.distribute'],
  ])('routes %s to %s', (tag, kind) => {
    const event = parsed(formatSchedulerDatagram({ ...clean, tag }));
    expect(event.kind).toBe(kind);
    expect(scheduler(formatSchedulerDatagram({ ...clean, tag })).tag).toBe(tag.toLowerCase());
  });

  it.each(['/scheduler-task-failed', 'scheduler-task-failed', '/scheduler-task-failed/ ', ''])(
    'rejects the near miss %j as an unknown type',
    (tag) => {
      expect(problemOf(formatSchedulerDatagram({ ...clean, tag })).reason).toBe('unknown-type');
    },
  );
});

describe('parseLogAppenderDatagram field checks', () => {
  it('rejects a ";" in the task name, which shifts the ids out of place', () => {
    const problem = problemOf(formatSchedulerDatagram({ ...clean, taskName: 'Reload; Sales' }));
    expect(problem.reason).toBe('malformed');
    expect(problem.detail).toMatch(/task id ".*" is not a GUID \(a ";" in a field before/);
  });

  it('rejects a shifted datagram even when task and app id are empty', () => {
    const text = formatSchedulerDatagram({
      ...clean,
      kind: 'task.distribute',
      taskName: 'Distribute; weekly',
      user: '',
      taskId: '',
      appId: '',
      logTimeStamp: '',
    });
    expect(problemOf(text).detail).toContain('execution id "INFO" is not a GUID');
  });

  it('judges a non-GUID execution id as Butler does when the field count is exact', () => {
    expect(
      scheduler(formatSchedulerDatagram({ ...clean, executionId: 'exec-1' })).executionId,
    ).toBe('exec-1');
  });

  it.each([
    ['task.failed', 10, 'expects 11 fields, got 10'],
    ['task.distribute', 10, 'expects at least 11 fields, got 10'],
  ] as const)('rejects a %s datagram of %i fields', (kind, count, detail) => {
    const text = formatSchedulerDatagram({ ...clean, kind })
      .split(';')
      .slice(0, count)
      .join(';');
    const problem = problemOf(text);
    expect(problem.reason).toBe('malformed');
    expect(problem.detail).toContain(detail);
  });

  it('accepts empty task and app ids, and takes a fresh event id when the execution id is empty', () => {
    const event = parsed(
      formatSchedulerDatagram({ ...clean, taskId: '', appId: '', executionId: '' }),
    );
    expect(event.id).not.toMatch(/^task\.failed:/);
    expect(parsed(formatSchedulerDatagram({ ...clean, executionId: '' })).id).not.toBe(event.id);
  });

  it('gives the same event id to the same datagram sent twice', () => {
    const text = formatSchedulerDatagram(clean);
    expect(parsed(text).id).toBe(parsed(text).id);
  });

  it('gives the same execution id different event ids for different kinds', () => {
    const failed = parsed(formatSchedulerDatagram({ ...clean, kind: 'task.failed' }));
    const aborted = parsed(formatSchedulerDatagram({ ...clean, kind: 'task.aborted' }));
    expect(failed.id).not.toBe(aborted.id);
  });

  it('accepts GUIDs in upper case', () => {
    const upper = {
      ...clean,
      taskId: clean.taskId.toUpperCase(),
      appId: clean.appId?.toUpperCase(),
    };
    expect(scheduler(formatSchedulerDatagram(upper)).taskId).toBe(upper.taskId);
  });

  it('checks the app id of an engine datagram only when it is given', () => {
    const engine = {
      hostName: 'qs2',
      appId: '',
      sessionId: 's',
      userDirectory: 'CORP',
      userId: 'jdoe',
      logTimeStamp: 'ts',
    };
    expect(parsed(formatEngineReloadFailedDatagram(engine)).kind).toBe('engine.reload-failed');
    const problem = problemOf(formatEngineReloadFailedDatagram({ ...engine, appId: 'nope' }));
    expect(problem.detail).toContain('app id "nope" is not a GUID');
    const recovered = parsed(formatEngineReloadFailedDatagram({ ...engine, logMessage: 'a;b' }));
    expect(recovered.data).toMatchObject({ logMessage: 'a;b', recovered: true });
  });
});

describe('parseLogAppenderDatagram cleaning', () => {
  it('removes control characters from every field and says which fields changed', () => {
    const text = formatSchedulerDatagram({
      ...clean,
      tag: '\u0000/scheduler-task-failed/',
      taskName: 'Reload\t- Sales\u007f',
      logMessage: 'Line one\r\nLine two\u001f',
    });
    const result = parse(text);
    expect(result).toMatchObject({ cleanedFields: ['tag', 'taskName', 'logMessage'] });
    const data = scheduler(text);
    expect(data).toMatchObject({
      tag: '/scheduler-task-failed/',
      taskName: 'Reload- Sales',
      logMessage: 'Line oneLine two',
      cleaned: true,
    });
  });

  it('keeps spaces and other printable text as it is', () => {
    const data = scheduler(formatSchedulerDatagram({ ...clean, taskName: '  Ünïcödé 😀 \u0080 ' }));
    expect(data.taskName).toBe('  Ünïcödé 😀 \u0080 ');
    expect(data.cleaned).toBe(false);
  });

  it('cuts every field to 500 UTF-16 code units', () => {
    const data = scheduler(
      formatSchedulerDatagram({ ...clean, taskName: 'ä'.repeat(600), logMessage: 'x'.repeat(501) }),
    );
    expect(data.taskName).toBe('ä'.repeat(MAX_FIELD_LENGTH));
    expect(data.logMessage).toBe('x'.repeat(MAX_FIELD_LENGTH));
    expect(data.cleaned).toBe(true);
  });

  it('cuts after removing control characters, and never through a surrogate pair', () => {
    const exact = scheduler(
      formatSchedulerDatagram({ ...clean, logMessage: `${'y'.repeat(500)}\n` }),
    );
    expect(exact.logMessage).toBe('y'.repeat(500));
    const emoji = scheduler(
      formatSchedulerDatagram({ ...clean, logMessage: `a${'😀'.repeat(300)}` }),
    );
    expect(emoji.logMessage).toBe(`a${'😀'.repeat(249)}`);
    expect(emoji.logMessage).toHaveLength(499);
  });

  it('cuts a recovered log message as one field', () => {
    const data = scheduler(
      formatSchedulerDatagram({ ...clean, logMessage: `${'z;'.repeat(300)}` }),
    );
    expect(data.recovered).toBe(true);
    expect(data.logMessage).toBe('z;'.repeat(250));
  });
});

describe('parseLogAppenderDatagram on junk', () => {
  it.each([
    ['an empty datagram', Buffer.alloc(0), 'malformed', 'empty datagram'],
    ['invalid UTF-8', Buffer.from([0x2f, 0xff, 0xfe, 0x3b, 0xc3]), 'malformed', 'not valid UTF-8'],
    [
      'a truncated multibyte sequence',
      Buffer.from('/scheduler-task-failed/;ä').subarray(0, 25),
      'malformed',
      'UTF-8',
    ],
    [
      'binary that happens to be UTF-8',
      Buffer.from([0x00, 0x01, 0x7f, 0x3b]),
      'unknown-type',
      'Unknown UDP',
    ],
    ['a lone tag', Buffer.from('/scheduler-task-failed/'), 'malformed', 'got 1'],
  ])('reports %s', (_name, bytes, reason, detail) => {
    const problem = problemOf(bytes);
    expect(problem.reason).toBe(reason);
    expect(problem.detail).toContain(detail);
  });

  it('cuts a long unknown tag in the problem detail', () => {
    expect(problemOf(`/${'q'.repeat(2000)}/;a`).detail.length).toBeLessThan(150);
  });
});

describe('formatSchedulerDatagram', () => {
  it('rebuilds a reference datagram from its fields', () => {
    const [line] = fixture('task-failed');
    const text = formatSchedulerDatagram({
      ...clean,
      logLevel: 'ERROR',
      logMessage: 'Max retries reached. Task will not be retried.',
    });
    expect(text).toBe(line);
  });

  it.each(['task.failed', 'task.aborted', 'task.success', 'task.distribute'] as const)(
    'is what the parser reads back for %s',
    (kind) => {
      const fields = { ...clean, kind, logMessage: 'text; with a semicolon' };
      const event = parsed(formatSchedulerDatagram(fields));
      expect(event.kind).toBe(kind);
      expect(event.data).toMatchObject({
        hostName: fields.hostName,
        taskName: fields.taskName,
        appName: fields.appName,
        user: fields.user,
        taskId: fields.taskId,
        appId: fields.appId,
        logTimeStamp: fields.logTimeStamp,
        executionId: fields.executionId,
        logMessage: fields.logMessage,
      });
    },
  );

  it('fills in the level and message that make each appender fire', () => {
    expect(formatSchedulerDatagram({ ...clean, kind: 'task.aborted' })).toMatch(
      /;INFO;[^;]+;Execution State Change to Aborting$/,
    );
    expect(formatSchedulerDatagram(clean)).toMatch(
      /^\/scheduler-task-failed\/;.*;ERROR;[^;]+;Max retries reached$/,
    );
  });

  it('formats timestamps as log4net does', () => {
    expect(formatLog4netTimestamp(new Date(2025, 2, 14, 6, 0, 41, 512))).toBe(
      '2025-03-14 06:00:41,512',
    );
    expect(formatLog4netTimestamp(new Date(2025, 11, 1, 23, 5, 9, 7))).toBe(
      '2025-12-01 23:05:09,007',
    );
  });
});
