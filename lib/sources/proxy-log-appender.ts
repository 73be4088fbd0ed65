import { catchError, concat, of, throwError, type Observable } from 'rxjs';
import { createEvent } from '../events.js';
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

const LISTENER = 'sessions';

/** What the `proxy-log-appender` source emits: parsed events, and the listener's own state. */
export type ProxyLogAppenderSourceEvent = ProxySessionEvent | UdpListeningEvent | UdpErrorEvent;

/**
 * The Qlik Sense proxy's session and connection datagrams as typed events (`session.start`,
 * `session.stop`, `connection.open`, `connection.close`) on
 * `Butler.udpServerConfig.portSessionConnectionEvents`, with the same ingress rules as the task
 * port. Off unless `Relay.sessionEvents.enable`. Spec: `{ type: proxy-log-appender }`; `host` and
 * `port` may override the config. When the listener fails (the port is taken, the socket closed)
 * a `udp.error` event comes before the error, so the status topic says `error` as Butler 6's did.
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
      name: LISTENER,
      host: spec.host ?? udp.serverHost,
      port: spec.port ?? udp.portSessionConnectionEvents,
    },
    parseDatagrams(parseProxySessionDatagram, 'proxy-log-appender', context),
    context,
  ).pipe(
    catchError((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const failed = createEvent('udp.error', `udp:${LISTENER}`, { message, listener: LISTENER });
      return concat(
        of(failed),
        throwError(() => err),
      );
    }),
  );
}
