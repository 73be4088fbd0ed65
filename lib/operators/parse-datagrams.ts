import { defer, filter, finalize, map, type OperatorFunction } from 'rxjs';
import type { RelayEvent } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import type { DatagramParser } from '../qlik/datagram-parse-result.js';
import type { DatagramEvent } from '../qlik/log-appender-events.js';
import { formatSender } from './format-sender.js';
import { printableExcerpt } from './printable-excerpt.js';

export interface ParseDatagramsDeps {
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Clock for the warning throttle; defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * Turns datagrams into events with `parser`. A datagram that is not a valid message is counted
 * (`malformed` or `unknown-type`, component `udp:<listener>`) and reported in a throttled warning
 * with an excerpt; it never errors the stream, so the next good datagram goes through.
 * `component` names the log lines' origin, e.g. `log-appender`.
 */
export function parseDatagrams<Event extends RelayEvent>(
  parser: DatagramParser<Event>,
  component: string,
  deps: ParseDatagramsDeps,
): OperatorFunction<DatagramEvent, Event> {
  const log = deps.log.child({ component });
  const now = deps.now ?? Date.now;

  return (source) =>
    defer(() => {
      const drops = new ThrottledDropReporter({ log, metrics: deps.metrics, now });
      const parse = ({ data, receivedAt }: DatagramEvent): Event | undefined => {
        const result = parser(data.bytes, data.sender, data.listener, receivedAt);
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
        filter((event): event is Event => event !== undefined),
        finalize(() => drops.flush()),
      );
    });
}
