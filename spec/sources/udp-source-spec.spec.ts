import { createSocket } from 'node:dgram';
import { Subject } from 'rxjs';
import type { PipelineContext, PipelineDefinitionError } from '../../lib/pipeline/pipeline.js';
import type { UdpListeningEvent } from '../../lib/sources/udp.js';
import { udpSourceFromSpec } from '../../lib/sources/udp-source-spec.js';
import { collect } from '../support/collect-events.js';
import { testContext } from '../support/pipeline-context.js';

function contextWith(stopping: Subject<void>): PipelineContext {
  return { ...testContext().context, stopping$: stopping.asObservable() };
}

describe('udpSourceFromSpec', () => {
  const context = contextWith(new Subject<void>());

  it.each([
    [{ port: 70000 }, 'source.port'],
    [{ port: '9998' }, 'source.port'],
    [{}, 'source.port'],
    [{ port: 9998, host: '' }, 'source.host'],
    [{ port: 9998, name: 3 }, 'source.name'],
    [{ port: 9998, recvBufferSize: -1 }, 'source.recvBufferSize'],
  ])('rejects %j at %s', (parameters, path) => {
    expect(() => udpSourceFromSpec({ type: 'udp', ...parameters }, context)).toThrow(
      expect.objectContaining({ path }) as PipelineDefinitionError,
    );
  });

  it('names the listener after the port by default, and completes when the relay stops', async () => {
    const stopping = new Subject<void>();
    const spec = { type: 'udp', host: '127.0.0.1', port: 0 };
    const events = collect(udpSourceFromSpec(spec, contextWith(stopping)));
    const listening = (await events.next((e) => e.kind === 'udp.listening')) as UdpListeningEvent;
    expect(listening).toMatchObject({
      source: 'udp:0',
      data: { listener: '0', address: '127.0.0.1' },
    });

    stopping.next();
    expect(events.subscription.closed).toBe(true);
    const again = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(listening.data.port, '127.0.0.1', () => resolve());
    });
    again.close();
  });
});
