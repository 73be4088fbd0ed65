import type { Observable } from 'rxjs';
import { parseDatagrams } from '../operators/parse-datagrams.js';
import {
  PipelineDefinitionError,
  type PipelineContext,
  type SourceSpec,
} from '../pipeline/pipeline.js';
import { parseProxySessionDatagram } from '../qlik/parse-proxy-session-datagram.js';
import type { ProxySessionEvent } from '../qlik/proxy-session-events.js';
import { logAppenderListener } from './log-appender-listener.js';
import type { UdpErrorEvent, UdpListeningEvent } from './udp.js';

/** What the `proxy-log-appender` source emits: parsed events, and the listener's own state. */
export type ProxyLogAppenderSourceEvent = ProxySessionEvent | UdpListeningEvent | UdpErrorEvent;

/**
 * The Qlik Sense proxy's session and connection datagrams as typed events (`session.start`,
 * `session.stop`, `connection.open`, `connection.close`) on
 * `Butler.udpServerConfig.portSessionConnectionEvents`, with the same ingress rules as the task
 * port. Off unless `Relay.sessionEvents.enable`. Spec: `{ type: proxy-log-appender }`; `host` and
 * `port` may override the config.
 */
export function proxyLogAppenderSource(
  spec: SourceSpec,
  context: PipelineContext,
): Observable<ProxyLogAppenderSourceEvent> {
  const udp = context.config.Butler.udpServerConfig;
  if (!context.config.Relay.sessionEvents.enable && spec.port === undefined) {
    throw new PipelineDefinitionError(
      'source',
      'the proxy log-appender listener is off: set Relay.sessionEvents.enable to true',
    );
  }
  return logAppenderListener(
    {
      name: 'sessions',
      host: spec.host ?? udp.serverHost,
      port: spec.port ?? udp.portSessionConnectionEvents,
    },
    parseDatagrams(parseProxySessionDatagram, 'proxy-log-appender', context),
    context,
  );
}
