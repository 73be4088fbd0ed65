import { filter, map, Subject } from 'rxjs';
import {
  createEvent,
  type OutboundMessage,
  type PublishOutcome,
  type RelayEvent,
} from '../../lib/events.js';
import { Catalog } from '../../lib/pipeline/catalog.js';
import type { MessageSink, Pipeline } from '../../lib/pipeline/pipeline.js';
import { runPipeline } from '../../lib/pipeline/run-pipeline.js';
import { toMessages } from '../../lib/operators/to-messages.js';
import { metricValue } from '../support/metrics.js';
import { testContext } from '../support/pipeline-context.js';

/** A sink that records what it is handed, standing in for the MQTT publishers. */
class RecordingSink implements MessageSink {
  readonly messages: OutboundMessage[] = [];
  publish(message: OutboundMessage): Promise<PublishOutcome> {
    this.messages.push(message);
    return Promise.resolve({ status: 'delivered', latencyMs: 0 });
  }
}

function setUp() {
  const feed = new Subject<RelayEvent>();
  const catalog = new Catalog().registerSource('feed', () => feed.asObservable());
  const { context, metrics, stopping } = testContext({ catalog });
  return { feed, context, metrics, stopping };
}

const tick = (n: number) => createEvent('tick', 'feed', { n }, `e${n}`);

describe('runPipeline', () => {
  it('publishes what the steps produce and counts events in and out', async () => {
    const { feed, context, metrics } = setUp();
    const sink = new RecordingSink();
    const pipeline: Pipeline = {
      name: 'echo',
      source: { type: 'feed' },
      build: (events) => events.pipe(toMessages([{ topic: 'out/{{data.n}}', payload: '{{id}}' }])),
    };
    const running = runPipeline(pipeline, context, sink);
    feed.next(tick(1));
    feed.next(tick(2));
    expect(sink.messages.map((m) => [m.topic, m.payload])).toEqual([
      ['out/1', 'e1'],
      ['out/2', 'e2'],
    ]);
    expect(await metricValue(metrics, 'relay_events_in_total')).toBe(2);
    expect(await metricValue(metrics, 'relay_events_out_total')).toBe(2);
    expect(running.running).toBe(true);
    running.stop();
    expect(running.running).toBe(false);
    feed.next(tick(3));
    expect(sink.messages).toHaveLength(2);
  });

  it('drops only the event a step throws on, counts it, and goes on with the next one', async () => {
    const { feed, context, metrics } = setUp();
    const sink = new RecordingSink();
    const pipeline: Pipeline = {
      name: 'fragile',
      source: { type: 'feed' },
      build: (events) =>
        events.pipe(
          map((event) => {
            if ((event.data as { n: number }).n === 2) throw new Error('cannot handle 2');
            return event;
          }),
          toMessages([{ topic: 't', payload: '{{data.n}}' }]),
        ),
    };
    const running = runPipeline(pipeline, context, sink);
    for (const n of [1, 2, 3, 4]) feed.next(tick(n));
    expect(sink.messages.map((m) => m.payload)).toEqual(['1', '3', '4']);
    expect(await metricValue(metrics, 'relay_pipeline_errors_total')).toBe(1);
    expect(await metricValue(metrics, 'relay_dropped_total')).toBe(1);
    running.stop();
  });

  it('counts what its steps drop, and its step errors, for the pipeline and in all drops', async () => {
    const { feed, context, metrics } = setUp();
    const sink = new RecordingSink();
    const oddOnly = (name: string): Pipeline => ({
      name,
      source: { type: 'feed' },
      build: (events, stepContext) =>
        events.pipe(
          filter((event) => {
            const odd = (event.data as { n: number }).n % 2 === 1;
            if (!odd) stepContext.metrics.dropped.inc({ component: name, reason: 'duplicate' });
            return odd;
          }),
          map((event) => {
            if ((event.data as { n: number }).n === 3) throw new Error('cannot handle 3');
            return event;
          }),
          toMessages([{ topic: 't', payload: '{{data.n}}' }]),
        ),
    });
    const first = runPipeline(oddOnly('first'), context, sink);
    const second = runPipeline(oddOnly('second'), context, sink);
    for (const n of [1, 2, 3, 4, 5]) feed.next(tick(n));
    // Per pipeline: two even events dropped by a step, and the step error on 3.
    for (const pipeline of ['first', 'second']) {
      expect(await metricValue(metrics, 'relay_pipeline_dropped_total', { pipeline })).toBe(3);
    }
    expect(await metricValue(metrics, 'relay_dropped_total')).toBe(6);
    first.stop();
    second.stop();
  });

  it('fails at start-up when the pipeline cannot be built', () => {
    const { context } = setUp();
    const pipeline: Pipeline = {
      name: 'broken',
      source: { type: 'feed' },
      build: () => {
        throw new Error('bad step parameters');
      },
    };
    expect(() => runPipeline(pipeline, context, new RecordingSink())).toThrow(
      'bad step parameters',
    );
  });

  it('fails at start-up on an unknown source type', () => {
    const { context } = setUp();
    const pipeline: Pipeline = {
      name: 'p',
      source: { type: 'nope' },
      build: (e) => e.pipe(toMessages([{ topic: 't' }])),
    };
    expect(() => runPipeline(pipeline, context, new RecordingSink())).toThrow(
      /unknown source "nope"/,
    );
  });

  it('shares one source between pipelines that name the same spec', () => {
    const { feed, context } = setUp();
    const sink = new RecordingSink();
    const make = (name: string): Pipeline => ({
      name,
      source: { type: 'feed' },
      build: (events) => events.pipe(toMessages([{ topic: name }])),
    });
    const a = runPipeline(make('a'), context, sink);
    const b = runPipeline(make('b'), context, sink);
    expect(feed.observed).toBe(true);
    feed.next(tick(1));
    expect(sink.messages.map((m) => m.topic).sort()).toEqual(['a', 'b']);
    a.stop();
    expect(feed.observed).toBe(true);
    b.stop();
    expect(feed.observed).toBe(false);
  });

  it('finishes once its source completes, after the steps emitted what they held', async () => {
    const { feed, context } = setUp();
    const sink = new RecordingSink();
    const pipeline: Pipeline = {
      name: 'ending',
      source: { type: 'feed' },
      build: (events) => events.pipe(toMessages([{ topic: 't', payload: '{{data.n}}' }])),
    };
    const running = runPipeline(pipeline, context, sink);
    feed.next(tick(1));
    feed.complete();
    await running.finished;
    expect(running.running).toBe(false);
    expect(sink.messages.map((m) => m.payload)).toEqual(['1']);
  });
});
