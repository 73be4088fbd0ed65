import { performance } from 'node:perf_hooks';
import type { Counter, Gauge } from 'prom-client';
import type { RelayMetrics } from '../../metrics/relay-metrics.js';
import type { ConnectionState } from '../../mqtt/broker-connection.js';
import type { RunningPipeline } from '../../pipeline/run-pipeline.js';
import type { PublisherStatus } from '../../sinks/mqtt-publisher.js';
import { watchBrokerStates, type StateReportingBroker } from './broker-states.js';
import { CounterRates } from './counter-rates.js';
import { EXCERPT_LENGTH, maskText, maskedExcerpt } from './masked-excerpt.js';
import type { RecentActivity, Seen } from './recent-activity.js';

/** What the status page reads from the running relay; all of it is kept up to date elsewhere. */
export interface StatusSources {
  readonly version: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly healthy: () => boolean;
  readonly brokers: ReadonlyMap<string, StatusBroker>;
  readonly pipelines: readonly Pick<RunningPipeline, 'name' | 'running'>[];
  readonly publishers: () => readonly PublisherStatus[];
  readonly outbox: { readonly durable: boolean };
  readonly metrics: RelayMetrics;
  readonly recent: RecentActivity;
  /** Configured secret values, masked wherever they appear. */
  readonly secrets: readonly string[];
}

export interface StatusBroker extends StateReportingBroker {
  readonly url: string;
  readonly clientId: string;
}

/** `GET /status.json`. Times are ISO 8601; rates are per second, null until they can be told. */
export interface StatusSnapshot {
  readonly relay: {
    readonly version: string;
    readonly startedAt: string;
    readonly generatedAt: string;
    readonly healthy: boolean;
    /** Seconds the rates average over. */
    readonly rateWindowSeconds: number | null;
  };
  readonly brokers: readonly BrokerStatus[];
  readonly pipelines: readonly PipelineStatus[];
  readonly outbox: OutboxStatus;
  /** The busiest publishers first, at most `MAX_PUBLISHERS_SHOWN`. */
  readonly publishers: readonly PublisherRow[];
  readonly publishersTotal: number;
  readonly drops: readonly DropStatus[];
  /** Newest first; excerpts masked and cut to `EXCERPT_LENGTH`. */
  readonly recent: readonly RecentRow[];
}

export interface BrokerStatus {
  readonly name: string;
  readonly state: ConnectionState;
  readonly since: string;
  readonly url: string;
  readonly clientId: string;
  /** Messages the broker acknowledged. */
  readonly acknowledged: number;
  readonly acknowledgedPerSecond: number | null;
  readonly reconnects: number;
}

export interface PipelineStatus {
  readonly name: string;
  readonly running: boolean;
  readonly eventsIn: number;
  readonly eventsInPerSecond: number | null;
  readonly messagesOut: number;
  readonly messagesOutPerSecond: number | null;
  /**
   * What the pipeline's own steps dropped (duplicates, a full queue, step errors…). A listener's
   * drops before any pipeline sees the event, and the publishers', are only in `drops`.
   */
  readonly dropped: number;
  readonly droppedPerSecond: number | null;
  /** Events dropped because a step threw on them; they count in `dropped` too. */
  readonly stepErrors: number;
  /** Events waiting for a processing slot. */
  readonly waiting: number;
}

export interface OutboxStatus {
  readonly store: 'disk' | 'memory';
  /** Accepted and not yet acknowledged or dropped: what the outbox holds. */
  readonly waiting: number;
  readonly accepted: number;
  readonly replayedAtStart: number;
  readonly writeErrors: number;
}

export interface PublisherRow {
  readonly broker: string;
  readonly topic: string;
  readonly queued: number;
  readonly inFlight: number;
  /** `paused` while its broker is away, `retrying` while it waits out a back-off. */
  readonly state: 'sending' | 'paused' | 'retrying';
}

export interface DropStatus {
  readonly component: string;
  readonly reason: string;
  readonly count: number;
  readonly perSecond: number | null;
}

export type RecentRow = {
  readonly at: string;
  readonly pipeline: string;
  /** The event id; for a message, the id of the event it came from. */
  readonly id: string | null;
  readonly excerpt: string;
} & (
  | { readonly direction: 'in'; readonly kind: string; readonly source: string }
  | { readonly direction: 'out'; readonly topic: string; readonly broker: string }
);

export interface StatusReader {
  read(): Promise<StatusSnapshot>;
  stop(): void;
}

/** More publishers than this (templated topics) would bury the page; the total is still told. */
export const MAX_PUBLISHERS_SHOWN = 50;

/**
 * The status page's data, built on request from what the relay keeps anyway: the metrics
 * registry, the pipelines, the publishers, the broker states and the recent-activity rings.
 * Rates are computed here rather than in the browser, so every reader (the page, curl, a script)
 * gets the same numbers without keeping state, and they survive a page reload.
 */
export function statusReader(sources: StatusSources): StatusReader {
  const { metrics } = sources;
  const states = watchBrokerStates(sources.brokers);
  const rates = new CounterRates();

  async function read(): Promise<StatusSnapshot> {
    const [
      eventsIn,
      eventsOut,
      pipelineDropped,
      errors,
      waiting,
      acknowledged,
      reconnects,
      dropped,
    ] = await Promise.all([
      byLabels(metrics.eventsIn, ['pipeline']),
      byLabels(metrics.eventsOut, ['pipeline']),
      byLabels(metrics.pipelineDropped, ['pipeline']),
      byLabels(metrics.pipelineErrors, ['pipeline']),
      byLabels(metrics.pipelineQueueDepth, ['pipeline']),
      byLabels(metrics.published, ['broker']),
      byLabels(metrics.brokerReconnects, ['broker']),
      byLabels(metrics.dropped, ['component', 'reason']),
    ]);
    const [accepted, replayed, writeErrors] = await Promise.all([
      byLabels(metrics.accepted, []),
      byLabels(metrics.outboxReplayed, []),
      byLabels(metrics.outboxWriteErrors, []),
    ]);
    const counters = new Map<string, number>([
      ...prefixed('in', eventsIn),
      ...prefixed('out', eventsOut),
      ...prefixed('pipeline-drop', pipelineDropped),
      ...prefixed('ack', acknowledged),
      ...prefixed('drop', dropped),
    ]);
    const rate = rates.read(performance.now(), counters);
    const now = Date.now();
    const publishers = sources.publishers();

    return {
      relay: {
        version: sources.version,
        startedAt: new Date(sources.startedAt).toISOString(),
        generatedAt: new Date(now).toISOString(),
        healthy: sources.healthy(),
        rateWindowSeconds: rate.windowSeconds,
      },
      brokers: [...sources.brokers].map(([name, broker]) => {
        const reading = states.read(name);
        return {
          name,
          state: reading?.state ?? 'connecting',
          since: new Date(reading?.since ?? sources.startedAt).toISOString(),
          url: maskText(broker.url, sources.secrets),
          clientId: broker.clientId,
          acknowledged: acknowledged.get(name) ?? 0,
          acknowledgedPerSecond: rate.rateOf(`ack\u0000${name}`),
          reconnects: reconnects.get(name) ?? 0,
        };
      }),
      pipelines: sources.pipelines.map(({ name, running }) => ({
        name,
        running,
        eventsIn: eventsIn.get(name) ?? 0,
        eventsInPerSecond: rate.rateOf(`in\u0000${name}`),
        messagesOut: eventsOut.get(name) ?? 0,
        messagesOutPerSecond: rate.rateOf(`out\u0000${name}`),
        dropped: pipelineDropped.get(name) ?? 0,
        droppedPerSecond: rate.rateOf(`pipeline-drop\u0000${name}`),
        stepErrors: errors.get(name) ?? 0,
        waiting: waiting.get(name) ?? 0,
      })),
      outbox: {
        store: sources.outbox.durable ? 'disk' : 'memory',
        // Each publisher's queue mirrors its part of the outbox: one record per message it holds.
        waiting: publishers.reduce((sum, p) => sum + p.queued + p.inFlight, 0),
        accepted: sum(accepted),
        replayedAtStart: sum(replayed),
        writeErrors: sum(writeErrors),
      },
      publishers: [...publishers]
        .sort((a, b) => b.queued + b.inFlight - (a.queued + a.inFlight))
        .slice(0, MAX_PUBLISHERS_SHOWN)
        .map((p) => ({
          broker: p.broker,
          topic: maskText(p.topic, sources.secrets),
          queued: p.queued,
          inFlight: p.inFlight,
          state: p.retrying ? 'retrying' : p.connected ? 'sending' : 'paused',
        })),
      publishersTotal: publishers.length,
      drops: [...dropped]
        .map(([key, count]) => {
          const [component = '', reason = ''] = key.split('\u0000');
          return { component, reason, count, perSecond: rate.rateOf(`drop\u0000${key}`) };
        })
        .sort((a, b) => b.count - a.count),
      recent: sources.recent.newestFirst().map((seen) => recentRow(seen, sources.secrets)),
    };
  }

  return { read, stop: () => states.stop() };
}

/** One recent item as the page shows it: formatted and masked now, not when it was recorded. */
function recentRow({ pipeline, item }: Seen, secrets: readonly string[]): RecentRow {
  const at = new Date(item.at).toISOString();
  const options = { maxLength: EXCERPT_LENGTH, secrets };
  if (item.direction === 'in') {
    const { event } = item;
    return {
      at,
      pipeline,
      direction: 'in',
      id: event.id,
      kind: event.kind,
      source: maskText(event.source, secrets),
      excerpt: maskedExcerpt(event.data, options),
    };
  }
  const { message } = item;
  return {
    at,
    pipeline,
    direction: 'out',
    id: message.eventId ?? null,
    topic: maskText(message.topic, secrets),
    broker: message.broker ?? 'main',
    excerpt: maskedExcerpt(message.payload, options),
  };
}

/** A metric's values summed by the given labels (joined with NUL, which no label value holds). */
async function byLabels<Label extends string>(
  metric: Counter<Label> | Gauge<Label>,
  labels: readonly Label[],
): Promise<Map<string, number>> {
  const { values } = await metric.get();
  const out = new Map<string, number>();
  for (const { labels: found, value } of values) {
    const key = labels.map((label) => String(found[label] ?? '')).join('\u0000');
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

function prefixed(prefix: string, values: ReadonlyMap<string, number>): [string, number][] {
  return [...values].map(([key, value]) => [`${prefix}\u0000${key}`, value]);
}

function sum(values: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const value of values.values()) total += value;
  return total;
}
