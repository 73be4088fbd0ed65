import { ratio } from '../support/stats.js';
import { cell } from './table.js';
import type { LoadSummary, TargetLoadSummary, TaskEventsSummary } from './summary.js';

/** One performance target judged on one run's figures; `met` is undefined when unmeasured. */
export interface GoalCheck {
  readonly goal: string;
  readonly target: string;
  readonly required: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

/** Sustained events/s over the naive baseline's, by outbox. */
const THROUGHPUT_FLOOR = { memory: 0.5, disk: 0.25 } as const;
const P99_CEILING_AT_1K = 2;
const IDLE_RSS_CEILING = 1.3;
const STARTUP_LIMIT_MS = 1_000;

/**
 * The relay's performance targets, each judged on figures from the same run, relative to the
 * naive baseline where the target is a ratio. A steady load's events/s is what the target
 * delivered there; the highest over the steady loads is what it sustains.
 */
export function judgeGoals(summary: TaskEventsSummary): GoalCheck[] {
  const steady = summary.loads.filter(({ load }) => load.ratePerSecond !== undefined);
  const burst = summary.loads.find(({ load }) => load.ratePerSecond === undefined);
  const atOneK = steady.find(({ load }) => load.ratePerSecond === 1_000);
  const naiveCeiling = highest(steady.map((load) => naiveOf(load)?.figures.deliveredPerSecond));
  const relays = summary.processes.filter(({ spec }) => spec.kind === 'relay');
  const checks: GoalCheck[] = [];

  for (const relay of relays) {
    const at = (load: LoadSummary | undefined) =>
      load?.targets.find((target) => target.label === relay.label);
    const store = relay.spec.kind === 'relay' ? relay.spec.outbox.store : 'memory';

    const sustained = highest(steady.map((load) => at(load)?.figures.deliveredPerSecond));
    const floor = THROUGHPUT_FLOOR[store];
    const throughput = ratio(sustained, naiveCeiling);
    checks.push({
      goal: 'sustained events/s over the naive baseline’s',
      target: relay.label,
      required: `≥ ${floor}`,
      measured: `${cell(throughput, 2)} (${cell(sustained)} vs ${cell(naiveCeiling)})`,
      met: throughput === undefined ? undefined : throughput >= floor,
    });

    const halfCeiling = naiveCeiling === undefined ? undefined : naiveCeiling / 2;
    const inReach = steady.filter(({ load }) => (load.ratePerSecond ?? 0) <= (halfCeiling ?? 0));
    const losses = inReach.map((load) => lossOf(at(load)));
    checks.push({
      goal: `zero loss up to half the naive ceiling (${cell(halfCeiling)}/s)`,
      target: relay.label,
      required: 'all delivered, no drops',
      measured:
        inReach.map((load, i) => `${load.load.name}: ${cell(losses[i])} lost`).join('; ') ||
        'no load in reach',
      met:
        losses.length === 0 || losses.some((lost) => lost === undefined)
          ? undefined
          : losses.every((lost) => lost === 0),
    });

    const p99 = at(atOneK)?.overNaive?.p99Ms;
    checks.push({
      goal: 'p99 latency at 1k events/s over the naive baseline’s',
      target: relay.label,
      required: `≤ ${P99_CEILING_AT_1K}`,
      measured: `${cell(p99, 2)} (${cell(at(atOneK)?.figures.p99Ms, 1)} ms vs ${cell(naiveOf(atOneK)?.figures.p99Ms, 1)} ms)`,
      met: p99 === undefined ? undefined : p99 <= P99_CEILING_AT_1K,
    });

    checks.push({
      goal: 'idle RSS over the naive baseline’s',
      target: relay.label,
      required: `≤ ${IDLE_RSS_CEILING}`,
      measured: `${cell(relay.idleRssOverNaive, 2)} (${cell(relay.idleRssMiB, 1)} MiB)`,
      met:
        relay.idleRssOverNaive === undefined
          ? undefined
          : relay.idleRssOverNaive <= IDLE_RSS_CEILING,
    });

    const burstFigures = at(burst)?.figures;
    checks.push({
      goal: `peak RSS during the ${burst?.load.name ?? 'burst'} (queues and outbox bounded)`,
      target: relay.label,
      required: 'reported; nothing lost uncounted',
      measured: `${cell(burstFigures?.peakRssMiB, 1)} MiB, ${cell(burstFigures?.uncountedLoss)} lost uncounted`,
      met: burstFigures?.uncountedLoss === undefined ? undefined : burstFigures.uncountedLoss === 0,
    });

    checks.push({
      goal: 'start-up to listening, broker connected',
      target: relay.label,
      required: `< ${cell(STARTUP_LIMIT_MS)} ms`,
      measured: `${cell(relay.startupMs)} ms`,
      met: relay.startupMs === undefined ? undefined : relay.startupMs < STARTUP_LIMIT_MS,
    });
  }
  return checks;
}

function naiveOf(load: LoadSummary | undefined): TargetLoadSummary | undefined {
  return load?.targets.find(({ spec }) => spec.kind === 'naive');
}

/** Offered and not delivered, whatever the reason (counted, kernel or uncounted). */
function lossOf(target: TargetLoadSummary | undefined): number | undefined {
  const figures = target?.figures;
  if (figures?.offered === undefined || figures.delivered === undefined) return undefined;
  return figures.offered - figures.delivered;
}

function highest(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined);
  return defined.length === 0 ? undefined : Math.max(...defined);
}
