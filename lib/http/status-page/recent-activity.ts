import type { OutboundMessage, RelayEvent } from '../../events.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * Something a pipeline saw, and when (epoch ms), kept by reference: formatting and masking wait
 * until someone reads it.
 */
export type SeenItem =
  | { readonly direction: 'in'; readonly at: number; readonly event: RelayEvent }
  | { readonly direction: 'out'; readonly at: number; readonly message: OutboundMessage };

export interface Seen {
  /** The pipeline, or `rest` for messages posted to the REST API. */
  readonly pipeline: string;
  readonly item: SeenItem;
}

/** What a pipeline (or the REST API) tells the status page as events come in and messages go out. */
export interface ActivityRecorder {
  event(event: RelayEvent): void;
  message(message: OutboundMessage): void;
}

/** Items kept per pipeline: enough to recognise what just happened, bounded by the pipeline count. */
export const RECENT_PER_PIPELINE = 20;

/**
 * The last events in and messages out of each pipeline, for the status page. A ring per pipeline,
 * so a busy pipeline cannot push a quiet one's last event out of sight.
 */
export class RecentActivity {
  private readonly rings = new Map<string, RingBuffer<SeenItem>>();

  constructor(private readonly perPipeline = RECENT_PER_PIPELINE) {}

  /** The recorder for one pipeline; a name asked for twice shares one ring. */
  recorder(pipeline: string): ActivityRecorder {
    const ring = this.rings.get(pipeline) ?? new RingBuffer<SeenItem>(this.perPipeline);
    this.rings.set(pipeline, ring);
    return {
      event: (event) => ring.push({ direction: 'in', at: Date.now(), event }),
      message: (message) => ring.push({ direction: 'out', at: Date.now(), message }),
    };
  }

  /** Everything kept, newest first across pipelines. */
  newestFirst(): Seen[] {
    const all: Seen[] = [];
    for (const [pipeline, ring] of this.rings) {
      for (const item of ring.newestFirst()) all.push({ pipeline, item });
    }
    // Stable sort: within one pipeline and millisecond the ring's order stands.
    return all.sort((a, b) => b.item.at - a.item.at);
  }
}
