import { map, takeUntil, timer, type Observable } from 'rxjs';
import { createEvent, type RelayEvent } from '../events.js';
import { parseDuration } from '../pipeline/duration.js';
import {
  PipelineDefinitionError,
  type PipelineContext,
  type SourceSpec,
} from '../pipeline/pipeline.js';

export interface TimerTick {
  /** Ticks since the source was subscribed, from 0. */
  readonly count: number;
}

export type TimerTickEvent = RelayEvent<'timer.tick', TimerTick>;

/** Emits `timer.tick` events every `every` (`10s`, `5m`, ms), the first one right away. */
export function timerSource(
  spec: SourceSpec,
  context: PipelineContext,
): Observable<TimerTickEvent> {
  const period = parseDuration(spec.every);
  if (period === undefined || period <= 0) {
    throw new PipelineDefinitionError(
      'source.every',
      `got ${JSON.stringify(spec.every)}, expected a duration such as 10s, 5m or 500ms`,
    );
  }
  const name = `timer:${String(spec.every)}`;
  return timer(0, period).pipe(
    map((count) => createEvent('timer.tick', name, { count })),
    takeUntil(context.stopping$),
  );
}
