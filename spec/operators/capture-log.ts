import bunyan from 'bunyan';
import type { Logger } from '../../lib/log/logger.js';

export interface CapturedRecord {
  readonly level: number;
  readonly msg: string;
  readonly event?: string;
  readonly [field: string]: unknown;
}

export const WARN = bunyan.WARN;
export const DEBUG = bunyan.DEBUG;

/** A logger that keeps every record (debug and up) in `records` for assertions. */
export function captureLog(): { log: Logger; records: CapturedRecord[] } {
  const records: CapturedRecord[] = [];
  const log = bunyan.createLogger({
    name: 'test',
    level: 'debug',
    streams: [
      {
        type: 'raw',
        stream: { write: (record: object) => records.push(record as CapturedRecord) },
      },
    ],
  });
  return { log, records };
}
