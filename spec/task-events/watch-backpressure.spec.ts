import { watchBackpressure } from '../../pipelines/watch-backpressure.js';
import { captureLog } from '../support/log-capture.js';
import { testContext } from '../support/pipeline-context.js';

function watch(thresholdPercent: number, maxWaiting = 10) {
  const capture = captureLog();
  const { context, metrics } = testContext();
  const onDepth = watchBackpressure({
    pipeline: 'butler-task-events',
    maxWaiting,
    thresholdPercent,
    context: { ...context, log: capture.log },
  });
  const events = () => capture.records.map((r) => `${r.event} ${String(r.waiting)}`);
  return { onDepth, events, metrics };
}

describe('watchBackpressure', () => {
  it('warns once on the way up and notes when the queue is below 80 % of the threshold', () => {
    const { onDepth, events } = watch(80);
    for (const waiting of [0, 7, 8, 9, 8, 7, 6, 5, 8]) onDepth(waiting);
    expect(events()).toEqual([
      'pipeline.backpressure 8',
      'pipeline.backpressure-cleared 6',
      'pipeline.backpressure 8',
    ]);
  });

  it('with a threshold of 0, warns only when something waits, and clears when nothing does', () => {
    const { onDepth, events } = watch(0);
    for (const waiting of [0, 0, 1, 2, 0, 0]) onDepth(waiting);
    expect(events()).toEqual(['pipeline.backpressure 1', 'pipeline.backpressure-cleared 0']);
  });

  it('exports the waiting count as relay_pipeline_queue_depth', async () => {
    const { onDepth, metrics } = watch(80);
    onDepth(3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('relay_pipeline_queue_depth{pipeline="butler-task-events"} 3');
  });
});
