import bunyan from 'bunyan';
import { Writable } from 'node:stream';

export type Logger = bunyan;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export interface LoggerOptions {
  level?: LogLevel;
  /** Human-readable lines instead of JSON; defaults to whether stdout is a TTY. */
  pretty?: boolean;
  /** Where records go; defaults to stdout. Tests pass their own stream. */
  stream?: NodeJS.WritableStream;
}

/**
 * The root logger. Components take `log.child({ component: 'mqtt' })`; records that operators may
 * alert on carry a stable `event` field such as `mqtt.connected` or `publish.dropped`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.stream ?? process.stdout;
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  return bunyan.createLogger({
    name: 'sense-mqtt-relay',
    level: options.level ?? 'info',
    serializers: bunyan.stdSerializers,
    streams: [pretty ? { type: 'raw', stream: prettyStream(out) } : { stream: out }],
  });
}

/** A logger that writes nothing: for library users who bring no logger and for quiet tests. */
export function silentLogger(): Logger {
  return bunyan.createLogger({ name: 'sense-mqtt-relay', streams: [] });
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const CORE_FIELDS = new Set([
  'name',
  'hostname',
  'pid',
  'level',
  'msg',
  'time',
  'v',
  'component',
  'event',
]);

/** One line per record: time, level, component, event, message, then the other fields as JSON. */
function prettyStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    objectMode: true,
    write(record: Record<string, unknown>, _encoding, done) {
      const time = record.time instanceof Date ? record.time.toISOString().slice(11, 23) : '';
      const extra = Object.fromEntries(Object.entries(record).filter(([k]) => !CORE_FIELDS.has(k)));
      const parts = [
        time,
        LEVEL_NAMES[Number(record.level)] ?? String(record.level),
        record.component ? `[${String(record.component)}]` : '',
        record.event ? `${String(record.event)}:` : '',
        String(record.msg ?? ''),
        Object.keys(extra).length > 0 ? JSON.stringify(extra) : '',
      ];
      out.write(parts.filter((p) => p !== '').join(' ') + '\n');
      done();
    },
  });
}
