import { takeUntil, type Observable } from 'rxjs';
import {
  PipelineDefinitionError,
  type PipelineContext,
  type SourceSpec,
} from '../pipeline/pipeline.js';
import { udpSource, type UdpSourceEvent } from './udp.js';

/**
 * The `udp` source as a pipeline names it:
 * `{ type: udp, name: tasks, host: 0.0.0.0, port: 9998, recvBufferSize: 4194304 }`.
 * `name` defaults to the port, `host` to `0.0.0.0`. Completes, closing the socket, when the relay
 * begins to shut down.
 */
export function udpSourceFromSpec(
  spec: SourceSpec,
  context: PipelineContext,
): Observable<UdpSourceEvent> {
  const { port, host = '0.0.0.0', name = String(port), recvBufferSize } = spec;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PipelineDefinitionError(
      'source.port',
      `got ${JSON.stringify(port)}, expected a port number 0–65535`,
    );
  }
  if (typeof host !== 'string' || host === '') {
    throw new PipelineDefinitionError(
      'source.host',
      `got ${JSON.stringify(host)}, expected an address such as 0.0.0.0 or ::`,
    );
  }
  if (typeof name !== 'string' || name === '') {
    throw new PipelineDefinitionError(
      'source.name',
      `got ${JSON.stringify(name)}, expected a listener name such as tasks`,
    );
  }
  if (
    recvBufferSize !== undefined &&
    (typeof recvBufferSize !== 'number' || !Number.isInteger(recvBufferSize) || recvBufferSize < 0)
  ) {
    throw new PipelineDefinitionError(
      'source.recvBufferSize',
      `got ${JSON.stringify(recvBufferSize)}, expected a size in bytes (0 keeps the system default)`,
    );
  }
  return udpSource({ name, host, port, recvBufferSize }, context).pipe(
    takeUntil(context.stopping$),
  );
}
