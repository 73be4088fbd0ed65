import type { PublishRun } from '../phases/publish-run.js';
import type { RelayPublisherRun, RelayPublisherVariant } from '../phases/relay-publisher.js';
import type { TaskEventsResult, TargetRun } from '../phases/task-events.js';
import { SETTINGS, type LoadSpec, type OutboxVariant, type TargetSpec } from '../settings.js';
import type { MachineInfo } from '../support/machine.js';
import type { GoalCheck } from './goals.js';
import type { Repeated } from '../support/repeat.js';
import { median, medianFigures, ratio } from '../support/stats.js';
import type { LoadFigures } from '../task-events/measure-load.js';
import { outboxLabel, targetLabel } from '../task-events/targets.js';

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

export type Comparison = Readonly<Record<(typeof COMPARED)[number], number | undefined>>;

/** One target under one load. */
export interface TargetLoadSummary {
  readonly label: string;
  readonly spec: TargetSpec;
  readonly figures: Medians<LoadFigures>;
  readonly runs: number;
  /** A relay's figures over the naive baseline's; undefined for the baseline. */
  readonly overNaive: Comparison | undefined;
  /** Messages/s (2 per event) over the broker ceiling's msgs/s. */
  readonly overCeiling: number | undefined;
  /** Median gain of each `relay_dropped_total` series (`component/reason`); empty for naive. */
  readonly dropsByReason: Readonly<Record<string, number | undefined>>;
}

export interface LoadSummary {
  readonly load: LoadSpec;
  /** In the order of `SETTINGS.taskEvents.targets`. */
  readonly targets: readonly TargetLoadSummary[];
}

export interface ProcessSummary {
  readonly label: string;
  readonly spec: TargetSpec;
  readonly startupMs: number | undefined;
  readonly idleRssMiB: number | undefined;
  readonly repetitions: number;
  readonly startupOverNaive: number | undefined;
  readonly idleRssOverNaive: number | undefined;
}

export interface TaskEventsSummary {
  readonly loads: readonly LoadSummary[];
  readonly processes: readonly ProcessSummary[];
  readonly strayMessages: number;
  readonly repositoryRequests: number;
}

export interface BenchSummary {
  readonly machine: MachineInfo;
  readonly settings: typeof SETTINGS;
  readonly durationSeconds: number;
  readonly publishing: PublishingSummary;
  readonly taskEvents: TaskEventsSummary | undefined;
  /** The performance targets, judged on this run's figures. */
  readonly goals: readonly GoalCheck[];
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

export function summarizeTaskEvents(
  result: TaskEventsResult,
  ceilingMsgsPerSecond: number | undefined,
): TaskEventsSummary {
  const naive = result.targets.find(({ spec }) => spec.kind === 'naive');
  const loads = SETTINGS.taskEvents.loads.map((load, index): LoadSummary => {
    const figuresOf = (runs: readonly TargetRun[]) =>
      medianFigures(runs.flatMap((run) => run.loads[index]?.figures ?? []));
    const naiveFigures = naive && figuresOf(naive.runs);
    return {
      load,
      targets: result.targets.map(({ spec, runs }): TargetLoadSummary => {
        const figures = figuresOf(runs);
        const perSecond = figures.deliveredPerSecond;
        return {
          label: targetLabel(spec),
          spec,
          figures,
          runs: runs.filter((run) => run.loads[index]).length,
          overNaive:
            spec.kind === 'naive' || !naiveFigures ? undefined : compare(figures, naiveFigures),
          overCeiling: ratio(
            perSecond === undefined ? undefined : 2 * perSecond,
            ceilingMsgsPerSecond,
          ),
          dropsByReason: dropMedians(runs, index),
        };
      }),
    };
  });
  const naiveProcess = naive && processFigures(naive.runs);
  return {
    loads,
    processes: result.targets.map(({ spec, runs }): ProcessSummary => {
      const figures = processFigures(runs);
      return {
        label: targetLabel(spec),
        spec,
        ...figures,
        repetitions: runs.length,
        startupOverNaive: ratio(figures.startupMs, naiveProcess?.startupMs),
        idleRssOverNaive: ratio(figures.idleRssMiB, naiveProcess?.idleRssMiB),
      };
    }),
    strayMessages: result.strayMessages,
    repositoryRequests: result.repositoryRequests,
  };
}

function compare(figures: Medians<LoadFigures>, naive: Medians<LoadFigures>): Comparison {
  return Object.fromEntries(
    COMPARED.map((key) => [key, ratio(figures[key], naive[key])]),
  ) as Comparison;
}

function processFigures(runs: readonly TargetRun[]) {
  return {
    startupMs: median(runs.map((run) => run.startupMs)),
    idleRssMiB: median(runs.map((run) => run.idleRssMiB)),
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
