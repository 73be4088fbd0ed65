import { defer, filter, finalize, map, type OperatorFunction } from 'rxjs';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import type { DatagramEvent, LogAppenderEvent } from '../qlik/log-appender-events.js';
import { parseLogAppenderDatagram } from '../qlik/parse-log-appender-datagram.js';
import { formatSender } from './format-sender.js';
import { printableExcerpt } from './printable-excerpt.js';

export {
  parseLogAppenderDatagram,
  type ParseProblem,
  type ParseResult,
} from '../qlik/parse-log-appender-datagram.js';

export interface ParseLogAppenderDeps {
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Clock for the warning throttle; defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * Turns log-appender datagrams into typed task and engine events. A datagram that is not a valid
 * message is counted (`malformed` or `unknown-type`) and reported in a throttled warning; it never
 * errors the stream, so the next good datagram goes through.
 */
export function parseLogAppender(
  deps: ParseLogAppenderDeps,
): OperatorFunction<DatagramEvent, LogAppenderEvent> {
  const log = deps.log.child({ component: 'log-appender' });
  const now = deps.now ?? Date.now;

  return (source) =>
    defer(() => {
      const drops = new ThrottledDropReporter({ log, metrics: deps.metrics, now });
      const parse = ({ data, receivedAt }: DatagramEvent): LogAppenderEvent | undefined => {
        const result = parseLogAppenderDatagram(data.bytes, data.sender, data.listener, receivedAt);
        if ('problem' in result) {
          drops.report({
            component: `udp:${data.listener}`,
            reason: result.problem.reason,
            sender: formatSender(data.sender),
            detail: result.problem.detail,
            context: { excerpt: printableExcerpt(data.bytes) },
          });
          return undefined;
        }
        if (result.cleanedFields.length > 0) {
          log.debug(
            { event: 'udp.cleaned', eventId: result.event.id, fields: result.cleanedFields },
            'control characters removed from, or over-long text cut in, some fields',
          );
        }
        return result.event;
      };
      return source.pipe(
        map(parse),
        filter((event) => event !== undefined),
        finalize(() => drops.flush()),
      );
    });
}
