import { filter, merge, share, type Observable, type OperatorFunction } from 'rxjs';
import type { RelayEvent } from '../events.js';
import { admitDatagrams } from '../operators/admit-datagrams.js';
import type { PipelineContext } from '../pipeline/pipeline.js';
import type { DatagramEvent } from '../qlik/log-appender-events.js';
import { isDatagramEvent, type UdpErrorEvent, type UdpListeningEvent } from './udp.js';
import { udpSourceFromSpec } from './udp-source-spec.js';

/** Which listener: its name (`tasks`, `sessions`) and where it binds, checked as the udp source does. */
export interface LogAppenderListener {
  readonly name: string;
  readonly host: unknown;
  readonly port: unknown;
}

/**
 * One log-appender port: datagrams on the listener's address with the ingress rules of
 * `Butler.udpServerConfig` (allow-list, size, rate limit; each listener has its own rate window),
 * turned into events by `parse`. `udp.listening` and `udp.error` pass through so a pipeline can
 * report the listener's state.
 */
export function logAppenderListener<Event extends RelayEvent>(
  listener: LogAppenderListener,
  parse: OperatorFunction<DatagramEvent, Event>,
  context: PipelineContext,
): Observable<Event | UdpListeningEvent | UdpErrorEvent> {
  const udp = context.config.Butler.udpServerConfig;
  const datagrams = udpSourceFromSpec(
    {
      type: 'udp',
      name: listener.name,
      host: listener.host,
      port: listener.port,
      recvBufferSize: context.config.Relay.udp.recvBufferSize,
    },
    context,
  ).pipe(
    admitDatagrams(
      {
        enableSourceValidation: udp.enableSourceValidation,
        allowedSources: udp.allowedSources,
        maxMessageSize: udp.maxMessageSize,
        rateLimit: udp.rateLimit,
      },
      context,
    ),
    share(),
  );
  const parsed = datagrams.pipe(filter(isDatagramEvent), parse);
  const state = datagrams.pipe(
    filter(
      (event: RelayEvent): event is UdpListeningEvent | UdpErrorEvent =>
        event.kind === 'udp.listening' || event.kind === 'udp.error',
    ),
  );
  return merge(state, parsed);
}
