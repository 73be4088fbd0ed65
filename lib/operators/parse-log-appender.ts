import type { OperatorFunction } from 'rxjs';
import type { DatagramEvent, LogAppenderEvent } from '../qlik/log-appender-events.js';
import { parseLogAppenderDatagram } from '../qlik/parse-log-appender-datagram.js';
import { parseDatagrams, type ParseDatagramsDeps } from './parse-datagrams.js';

export {
  parseLogAppenderDatagram,
  type ParseProblem,
  type ParseResult,
} from '../qlik/parse-log-appender-datagram.js';

export type ParseLogAppenderDeps = ParseDatagramsDeps;

/**
 * Turns log-appender datagrams into typed task and engine events. A datagram that is not a valid
 * message is counted (`malformed` or `unknown-type`) and reported in a throttled warning; it never
 * errors the stream, so the next good datagram goes through.
 */
export function parseLogAppender(
  deps: ParseLogAppenderDeps,
): OperatorFunction<DatagramEvent, LogAppenderEvent> {
  return parseDatagrams(parseLogAppenderDatagram, 'log-appender', deps);
}
