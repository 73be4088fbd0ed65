import type { Observable } from 'rxjs';
import { parseLogAppender } from '../operators/parse-log-appender.js';
import {
  PipelineDefinitionError,
  type PipelineContext,
  type SourceSpec,
} from '../pipeline/pipeline.js';
import type { LogAppenderEvent } from '../qlik/log-appender-events.js';
import { logAppenderListener } from './log-appender-listener.js';
import type { UdpErrorEvent, UdpListeningEvent } from './udp.js';

/** What the `log-appender` source emits: parsed events, and the listener's own state. */
export type LogAppenderSourceEvent = LogAppenderEvent | UdpListeningEvent | UdpErrorEvent;

/**
 * The Qlik Sense scheduler's log-appender datagrams as typed events (`task.failed`,
 * `task.aborted`, `task.success`, `task.distribute`, `engine.reload-failed`), on the UDP port and
 * with the ingress rules of `Butler.udpServerConfig`: allow-list, size and rate limit, then
 * parsing. `udp.listening` and `udp.error` pass through so a pipeline can report the listener's
 * state. Spec: `{ type: log-appender }`; `host` and `port` may override Butler's keys.
 */
export function logAppenderSource(
  spec: SourceSpec,
  context: PipelineContext,
): Observable<LogAppenderSourceEvent> {
  const udp = context.config.Butler.udpServerConfig;
  if (!udp.enable && spec.port === undefined) {
    throw new PipelineDefinitionError(
      'source',
      'the log-appender listener is off: set Butler.udpServerConfig.enable to true',
    );
  }
  return logAppenderListener(
    { name: 'tasks', host: spec.host ?? udp.serverHost, port: spec.port ?? udp.portTaskFailure },
    parseLogAppender(context),
    context,
  );
}
