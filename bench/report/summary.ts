import type { PublishRun } from '../phases/publish-run.js';
import {
  outboxLabel,
  type RelayPublisherRun,
  type RelayPublisherVariant,
} from '../phases/relay-publisher.js';
import type { TaskEventsResult, TargetRun } from '../phases/task-events.js';
import { SETTINGS, type OutboxVariant } from '../settings.js';
import type { MachineInfo } from '../support/machine.js';
import type { Repeated } from '../support/repeat.js';
import { median, medianFigures, ratio } from '../support/stats.js';
import type { LoadFigures } from '../task-events/measure-load.js';

export type Medians<T> = { [K in keyof T]: number | undefined };

export interface PublishingSummary {
  readonly ceiling: { readonly figures: Medians<PublishRun>; readonly runs: number };
  /** One per outbox variant, in the order of `SETTINGS.outboxVariants`. */
  readonly relay: readonly RelayVariantSummary[];
}

export interface RelayVariantSummary {
  /** `memory`, `disk, fsync always`, ... */
  readonly name: string;
  readonly outbox: OutboxVariant;
  readonly figures: Medians<RelayPublisherRun>;
  readonly runs: number;
  /** This variant's msgs/s over the ceiling's. */
  readonly overCeiling: number | undefined;
  /** A disk variant's msgs/s over the memory variant's; undefined for the memory variant. */
  readonly overMemory: number | undefined;
}

/** Figures where relay/naive says something; for latency, CPU and memory lower is better. */
export const COMPARED = [
  'deliveredPerSecond',
  'deliveredRatio',
  'p50Ms',
  'p99Ms',
  'cpuPercent',
  'peakRssMiB',
] as const satisfies readonly (keyof LoadFigures)[];

export interface LoadSummary {
  readonly name: string;
  readonly relay: Medians<LoadFigures>;
  readonly naive: Medians<LoadFigures>;
  readonly relayOverNaive: Readonly<Record<(typeof COMPARED)[number], number | undefined>>;
  /** Median gain of each `relay_dropped_total` series (`component/reason`). */
  readonly relayDropsByReason: Readonly<Record<string, number | undefined>>;
}

export interface ProcessSummary {
  readonly startupMs: number | undefined;
  readonly idleRssMiB: number | undefined;
  readonly repetitions: number;
}

export interface TaskEventsSummary {
  readonly loads: readonly LoadSummary[];
  readonly relay: ProcessSummary;
  readonly naive: ProcessSummary;
  readonly startupRelayOverNaive: number | undefined;
  readonly idleRssRelayOverNaive: number | undefined;
  readonly strayMessages: number;
  readonly repositoryRequests: number;
}

export interface BenchSummary {
  readonly machine: MachineInfo;
  readonly settings: typeof SETTINGS;
  readonly durationSeconds: number;
  readonly publishing: PublishingSummary;
  readonly taskEvents: TaskEventsSummary | undefined;
  readonly problems: readonly string[];
}

export function summarizePublishing(
  ceiling: Repeated<PublishRun>,
  relay: readonly RelayPublisherVariant[],
): PublishingSummary {
  const ceilingFigures = medianFigures(ceiling.runs);
  const memory = relay.find(({ variant }) => variant.store === 'memory');
  const memoryRate = memory && medianFigures(memory.runs).msgsPerSecond;
  return {
    ceiling: { figures: ceilingFigures, runs: ceiling.runs.length },
    relay: relay.map(({ variant, runs }): RelayVariantSummary => {
      const figures = medianFigures(runs);
      return {
        name: outboxLabel(variant),
        outbox: variant,
        figures,
        runs: runs.length,
        overCeiling: ratio(figures.msgsPerSecond, ceilingFigures.msgsPerSecond),
        overMemory:
          variant.store === 'memory' ? undefined : ratio(figures.msgsPerSecond, memoryRate),
      };
    }),
  };
}

export function summarizeTaskEvents(result: TaskEventsResult): TaskEventsSummary {
  const loads = SETTINGS.taskEvents.loads.map((load, index): LoadSummary => {
    const figuresOf = (runs: readonly TargetRun[]) =>
      medianFigures(runs.flatMap((run) => run.loads[index]?.figures ?? []));
    const relay = figuresOf(result.relay.runs);
    const naive = figuresOf(result.naive.runs);
    const relayOverNaive = Object.fromEntries(
      COMPARED.map((key) => [key, ratio(relay[key], naive[key])]),
    ) as LoadSummary['relayOverNaive'];
    return {
      name: load.name,
      relay,
      naive,
      relayOverNaive,
      relayDropsByReason: dropMedians(result.relay.runs, index),
    };
  });
  const relay = processSummary(result.relay.runs);
  const naive = processSummary(result.naive.runs);
  return {
    loads,
    relay,
    naive,
    startupRelayOverNaive: ratio(relay.startupMs, naive.startupMs),
    idleRssRelayOverNaive: ratio(relay.idleRssMiB, naive.idleRssMiB),
    strayMessages: result.strayMessages,
    repositoryRequests: result.repositoryRequests,
  };
}

function processSummary(runs: readonly TargetRun[]): ProcessSummary {
  return {
    startupMs: median(runs.map((run) => run.startupMs)),
    idleRssMiB: median(runs.map((run) => run.idleRssMiB)),
    repetitions: runs.length,
  };
}

/** A series missing from a run counts as 0 there. */
function dropMedians(
  runs: readonly TargetRun[],
  index: number,
): Record<string, number | undefined> {
  const byReason = runs.map((run) => run.loads[index]?.dropsByReason ?? {});
  const reasons = new Set(byReason.flatMap((drops) => Object.keys(drops)));
  return Object.fromEntries(
    [...reasons].sort().map((reason) => [reason, median(byReason.map((d) => d[reason] ?? 0))]),
  );
}
