import bunyan from 'bunyan';
import { Writable } from 'node:stream';
import type { Logger } from '../../lib/log/logger.js';

export interface LogRecord {
  level: number;
  msg: string;
  event?: string;
  [field: string]: unknown;
}

/** bunyan's level numbers, for picking records by `level`. */
export const DEBUG = bunyan.DEBUG;
export const WARN = bunyan.WARN;

export interface LogCapture {
  log: Logger;
  records: LogRecord[];
  /** Records whose `event` field is `event`. */
  events(event: string): LogRecord[];
  /** Records at warn level. */
  warnings(): LogRecord[];
}

/** A logger that keeps every record (all levels) in memory for assertions. */
export function captureLog(): LogCapture {
  const records: LogRecord[] = [];
  const sink = new Writable({
    objectMode: true,
    write(record: LogRecord, _encoding, done) {
      records.push(record);
      done();
    },
  });
  const log = bunyan.createLogger({
    name: 'test',
    streams: [{ type: 'raw', level: 'trace', stream: sink }],
  });
  return {
    log,
    records,
    events: (event) => records.filter((r) => r.event === event),
    warnings: () => records.filter((r) => r.level === WARN),
  };
}
