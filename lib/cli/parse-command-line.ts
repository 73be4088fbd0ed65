import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from '../log/logger.js';
import { isValidTopicFilter } from '../mqtt/topics.js';
import { isGuid } from '../qlik/guid.js';
import {
  TEST_EVENT_TYPES,
  type TestEventRequest,
  type TestEventType,
} from './test-event-datagram.js';
import { parseUdpTarget, type UdpTarget } from './udp-target.js';

export type Command =
  | 'run'
  | 'check-config'
  | 'print-config'
  | 'config-reference'
  | 'send-test-event'
  | 'watch'
  | 'test'
  | 'help'
  | 'version';
const COMMANDS: readonly Command[] = [
  'run',
  'check-config',
  'print-config',
  'config-reference',
  'send-test-event',
  'watch',
  'test',
];

/** What `send-test-event` should send, and where (default: the configured listener). */
export interface TestEventCommand extends TestEventRequest {
  readonly to?: UdpTarget;
}

export interface CommandLine {
  command: Command;
  configFile?: string;
  logLevel?: LogLevel;
  /** Only for `send-test-event`. */
  testEvent?: TestEventCommand;
  /** Only for `watch`: topic filters; none = `Butler.mqttConfig.subscriptionRootTopic`. */
  topics?: string[];
  /** Only for `test`: the pipeline fixture files. */
  fixtures?: string[];
}

/** A command line we cannot act on; the process exits 2 with this message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const TEST_EVENT_OPTIONS = ['type', 'to', 'task-id', 'app-id', 'task-name'] as const;

/** Reads argv (without node and script). Unknown flags, commands and levels are usage errors. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        'log-level': { type: 'string', short: 'l' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        type: { type: 'string' },
        to: { type: 'string' },
        'task-id': { type: 'string' },
        'app-id': { type: 'string' },
        'task-name': { type: 'string' },
        topic: { type: 'string', short: 't', multiple: true },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const command = (positionals[0] ?? 'run') as Command;
  if (positionals.length > 1 && command !== 'test') {
    throw new UsageError(`expected at most one command, got: ${positionals.join(' ')}`);
  }
  if (command === 'test' && positionals.length < 2) {
    throw new UsageError('test needs at least one pipeline fixture file');
  }
  if (!COMMANDS.includes(command)) {
    throw new UsageError(`unknown command "${command}"; expected one of ${COMMANDS.join(', ')}`);
  }
  const level = values['log-level'];
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
    throw new UsageError(`unknown log level "${level}"; expected one of ${LOG_LEVELS.join(', ')}`);
  }
  if (command !== 'send-test-event') {
    const misplaced = TEST_EVENT_OPTIONS.find((name) => values[name] !== undefined);
    if (misplaced) throw new UsageError(`--${misplaced} belongs to the send-test-event command`);
  }
  const topics = values.topic ?? [];
  if (topics.length > 0 && command !== 'watch') {
    throw new UsageError('--topic belongs to the watch command');
  }
  const badFilter = topics.find((filter) => !isValidTopicFilter(filter));
  if (badFilter !== undefined) {
    throw new UsageError(`--topic ${JSON.stringify(badFilter)} is not an MQTT topic filter`);
  }
  return {
    command,
    ...(command === 'watch' ? { topics } : {}),
    ...(command === 'test' ? { fixtures: positionals.slice(1) } : {}),
    ...(values.config === undefined ? {} : { configFile: values.config }),
    ...(level === undefined ? {} : { logLevel: level as LogLevel }),
    ...(command === 'send-test-event' ? { testEvent: readTestEvent(values) } : {}),
  };
}

function readTestEvent(
  values: Partial<Record<(typeof TEST_EVENT_OPTIONS)[number], string>>,
): TestEventCommand {
  const { type, to, 'task-id': taskId, 'app-id': appId, 'task-name': taskName } = values;
  if (type === undefined) {
    throw new UsageError(`send-test-event needs --type ${TEST_EVENT_TYPES.join('|')}`);
  }
  if (!TEST_EVENT_TYPES.includes(type as TestEventType)) {
    throw new UsageError(
      `unknown event type "${type}"; expected one of ${TEST_EVENT_TYPES.join(', ')}`,
    );
  }
  const target = to === undefined ? undefined : parseUdpTarget(to);
  if (to !== undefined && target === undefined) {
    throw new UsageError(
      `--to "${to}" is not host:port (a port 1-65535; an IPv6 address in brackets: [::1]:9998)`,
    );
  }
  for (const [flag, id] of [
    ['--task-id', taskId],
    ['--app-id', appId],
  ] as const) {
    if (id !== undefined && !isGuid(id)) {
      throw new UsageError(`${flag} "${id}" is not a GUID (8-4-4-4-12 hexadecimal digits)`);
    }
  }
  // log4net does not escape ';', so the relay would read the datagram's fields shifted.
  if (taskName?.includes(';')) throw new UsageError('--task-name must not contain ";"');
  return {
    type: type as TestEventType,
    ...(target === undefined ? {} : { to: target }),
    ...(taskId === undefined ? {} : { taskId }),
    ...(appId === undefined ? {} : { appId }),
    ...(taskName === undefined ? {} : { taskName }),
  };
}
