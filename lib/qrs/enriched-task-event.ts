import type { RelayEvent } from '../events.js';
import type { SchedulerTaskData } from '../qlik/log-appender-events.js';
import type { QrsAppFull, QrsTaskFull } from './qrs-types.js';

/** Whether the Repository Service lookups for a task event worked, and if not, where and why. */
export type TaskEnrichment =
  | { readonly status: 'complete' }
  | { readonly status: 'failed'; readonly step: 'task' | 'app'; readonly reason: string };

/** A scheduler event plus what the Repository Service knows about its task and app. */
export interface EnrichedTaskData extends SchedulerTaskData {
  readonly enrichment: TaskEnrichment;
  /** The `task/full` object, when it was found. */
  readonly task?: QrsTaskFull;
  /** The `app/full` object, when it was found. */
  readonly app?: QrsAppFull;
  /** `task.taskType ?? 0` (a missing type counts as reload); absent when the task is unknown. */
  readonly taskType?: number;
}

export type EnrichedTaskFailedEvent = RelayEvent<'task.failed', EnrichedTaskData>;
export type EnrichedTaskAbortedEvent = RelayEvent<'task.aborted', EnrichedTaskData>;
export type EnrichedTaskEvent = EnrichedTaskFailedEvent | EnrichedTaskAbortedEvent;
