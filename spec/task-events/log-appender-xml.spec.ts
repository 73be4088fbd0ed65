import { readFileSync } from 'node:fs';
import { parseLogAppenderDatagram } from '../../lib/qlik/parse-log-appender-datagram.js';
import { appendersOf, PATTERN_ELEMENT, type Appender } from '../support/log4net-appenders.js';

const XML = readFileSync(
  new URL('../../config/examples/LocalLogConfig.xml', import.meta.url),
  'utf8',
);

/** What each appender of the example file is for: the event kind and its scheduler logger. */
const EXPECTED = {
  TaskFailLogger: {
    kind: 'task.failed',
    logger: 'System.Scheduler.Scheduler.Master.Task.TaskSession',
  },
  TaskAbortLogger: {
    kind: 'task.aborted',
    logger: 'System.Scheduler.Scheduler.Master.Task.TaskSession',
  },
  TaskSuccessLogger: {
    kind: 'task.success',
    logger: 'System.Scheduler.Scheduler.Master.Task.TaskSession',
  },
  DistributionTaskLogger: {
    kind: 'task.distribute',
    logger: 'System.Scheduler.Scheduler.Slave.Tasks.ReloadTask',
  },
} as const;

/** What log4net puts in for each pattern element, as on a Sense node. */
const VALUES: Readonly<Record<string, string>> = {
  '%hostname': 'qs-node1.corp.example.com',
  '%property{TaskName}': 'Reload - Sales Dashboard',
  '%property{AppName}': 'Sales Dashboard',
  '%property{User}': 'INTERNAL\\sa_scheduler',
  '%property{TaskId}': '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10',
  '%property{AppId}': '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d',
  '%date': '2025-03-14 06:00:41,512',
  '%level': 'INFO',
  '%property{ExecutionId}': 'a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7',
};
const appenders = (): Appender[] => appendersOf(XML);

/** The datagram log4net would send for a log line `message` through `pattern`. */
function render(pattern: string, message: string): string {
  return pattern.replace(PATTERN_ELEMENT, (element) => {
    if (element === '%message') return message;
    const value = VALUES[element];
    if (value === undefined) throw new Error(`unexpected pattern element ${element}`);
    return value;
  });
}

describe('config/examples/LocalLogConfig.xml', () => {
  it('has the four appenders, each a UTF-8 UdpAppender with its filters and a DenyAllFilter last', () => {
    const found = appenders();
    expect(found.map((a) => a.name)).toEqual(Object.keys(EXPECTED));
    for (const { block, filters } of found) {
      expect(block).toContain('type="log4net.Appender.UdpAppender"');
      expect(block).toContain('<param name="remotePort" value="9998" />');
      expect(block).toContain('<param name="encoding" value="utf-8" />');
      expect(block).toContain('Qlik.Sense.Logging.log4net.Layout.Pattern.HostNamePatternConverter');
      expect(filters.length).toBeGreaterThan(0);
      expect(block.lastIndexOf('StringMatchFilter')).toBeLessThan(block.indexOf('DenyAllFilter'));
    }
  });

  it('makes, for every filter string, a datagram the relay reads as the intended event', () => {
    for (const { name, filters, pattern } of appenders()) {
      const { kind } = EXPECTED[name as keyof typeof EXPECTED];
      for (const filter of filters) {
        const message = `Task session 1: ${filter}`;
        const datagram = Buffer.from(render(pattern, message), 'utf8');
        const sender = { address: '10.0.0.11', port: 50000, family: 'IPv4' } as const;
        const result = parseLogAppenderDatagram(datagram, sender, 'tasks', 0);
        expect([name, 'event' in result && result.event.kind]).toEqual([name, kind]);
        expect('event' in result && result.event.data).toMatchObject({
          hostName: VALUES['%hostname'],
          taskId: VALUES['%property{TaskId}'],
          executionId: VALUES['%property{ExecutionId}'],
          logMessage: message,
          recovered: false,
        });
      }
    }
  });

  it('attaches each appender to the scheduler logger that writes its lines', () => {
    const loggers = [...XML.matchAll(/<logger name="([^"]+)">([\s\S]*?)<\/logger>/g)];
    const attached = loggers.flatMap(([, logger, body]) =>
      [...(body ?? '').matchAll(/<appender-ref ref="(\w+)"/g)].map(([, ref]) => [ref, logger]),
    );
    expect(Object.fromEntries(attached)).toEqual(
      Object.fromEntries(Object.entries(EXPECTED).map(([name, { logger }]) => [name, logger])),
    );
  });
});
