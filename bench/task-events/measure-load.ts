import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { LoadSpec } from '../settings.js';
import { kernelUdpDrops } from '../support/kernel-udp-drops.js';
import type { ProcessSampler } from '../support/process-sampler.js';
import { counterIncrease, scrapeCounter, type CounterValues } from '../support/prometheus.js';
import { percentile } from '../support/stats.js';
import { waitFor } from '../support/time.js';
import type { TaskMessageRouter } from './delivery-tracker.js';
import { offerLoad } from './offer-load.js';
import type { RunningTarget } from './targets.js';

/** One load against one target; every field a number so repetitions can be reduced to medians. */
export interface LoadFigures {
  offered: number;
  /** Datagrams the bench's own socket failed to send; they never reached the target. */
  sendErrors: number;
  /** Events whose basic and full messages both arrived. */
  delivered: number;
  deliveredPerSecond: number | undefined;
  deliveredRatio: number;
  messagesReceived: number;
  duplicateMessages: number;
  /** `relay_dropped_total` gained during the load; the naive baseline counts nothing. */
  countedDrops: number | undefined;
  /** Dropped by the kernel for a full socket buffer: no process can count these. */
  kernelDrops: number | undefined;
  /** Offered, not delivered, and not counted anywhere. */
  uncountedLoss: number | undefined;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  cpuPercent: number | undefined;
  /** The whole machine, all cores: near 100 means the target was short of CPU. */
  machineCpuPercent: number | undefined;
  peakRssMiB: number | undefined;
  /** From the first datagram sent to the last message received. */
  seconds: number | undefined;
  /** From the last datagram sent to the last message received: the backlog worked off. */
  tailSeconds: number | undefined;
}

export interface LoadMeasurement {
  readonly figures: LoadFigures;
  /** `relay_dropped_total` gained, by `component/reason`. */
  readonly dropsByReason: Readonly<Record<string, number>>;
}

export interface LoadContext {
  readonly socket: Socket;
  readonly router: TaskMessageRouter;
  readonly sampler: ProcessSampler;
  readonly drainIdleMs: number;
  readonly drainMaxMs: number;
}

const DROPPED = 'relay_dropped_total';

export async function measureLoad(
  target: RunningTarget,
  load: LoadSpec,
  loadId: number,
  context: LoadContext,
): Promise<LoadMeasurement> {
  const { router, sampler } = context;
  const dropsBefore = await scrapeDrops(target);
  const kernelBefore = kernelUdpDrops(target.udpPort);
  const tracker = router.track(loadId, load.events);
  try {
    const offer = await offerLoad(context.socket, target.udpPort, load, loadId);
    const drainStart = performance.now();
    await waitFor(() => {
      if (tracker.delivered >= load.events) return true;
      const now = performance.now();
      const quietSince = Math.max(tracker.lastReceiptAt ?? drainStart, drainStart);
      return now - quietSince >= context.drainIdleMs || now - drainStart >= context.drainMaxMs;
    }, context.drainMaxMs + 1_000);
    const windowEnd = tracker.lastReceiptAt ?? performance.now();
    sampler.sample();

    const dropsAfter = await scrapeDrops(target);
    const kernelAfter = kernelUdpDrops(target.udpPort);
    const increase =
      dropsBefore && dropsAfter ? counterIncrease(dropsBefore, dropsAfter) : undefined;
    const countedDrops = increase && sum(increase);
    // The relay counts the kernel's drops too (reason kernel-buffer), read from /proc every few
    // seconds; the bench reads the same counter itself at the end, so it takes only the rest.
    const countedByRelayAlone =
      increase && sum(increase, (labels) => !labels.includes('reason="kernel-buffer"'));
    const kernelDrops =
      kernelBefore === undefined || kernelAfter === undefined
        ? undefined
        : kernelAfter - kernelBefore;
    const latencies = Float64Array.from(tracker.latenciesMs).sort();
    const seconds = (windowEnd - offer.startedAt) / 1000;
    const lost = load.events - tracker.delivered;
    const figures: LoadFigures = {
      offered: load.events,
      sendErrors: offer.sendErrors,
      delivered: tracker.delivered,
      deliveredPerSecond:
        tracker.delivered > 0 && seconds > 0 ? tracker.delivered / seconds : undefined,
      deliveredRatio: tracker.delivered / load.events,
      messagesReceived: tracker.messages,
      duplicateMessages: tracker.duplicates,
      countedDrops,
      kernelDrops,
      uncountedLoss: Math.max(
        0,
        lost - offer.sendErrors - (countedByRelayAlone ?? 0) - (kernelDrops ?? 0),
      ),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1),
      cpuPercent: sampler.cpuPercent(offer.startedAt, windowEnd),
      machineCpuPercent: sampler.machineCpuPercent(offer.startedAt, windowEnd),
      peakRssMiB: sampler.peakRssMiB(offer.startedAt, windowEnd),
      seconds: seconds > 0 ? seconds : undefined,
      tailSeconds:
        tracker.lastReceiptAt === undefined
          ? undefined
          : Math.max(0, (windowEnd - offer.endedAt) / 1000),
    };
    return { figures, dropsByReason: Object.fromEntries(readable(increase)) };
  } finally {
    router.untrack(loadId);
  }
}

function sum(values: Map<string, number>, include: (labels: string) => boolean = () => true) {
  let total = 0;
  for (const [labels, value] of values) if (include(labels)) total += value;
  return total;
}

function scrapeDrops(target: RunningTarget): Promise<CounterValues | undefined> {
  return target.metricsUrl ? scrapeCounter(target.metricsUrl, DROPPED) : Promise.resolve(undefined);
}

/** `component="udp:tasks",reason="queue-full"` → `udp:tasks/queue-full`. */
function readable(increase: Map<string, number> | undefined): [string, number][] {
  return [...(increase ?? [])].map(([labels, value]) => {
    const component = /component="([^"]*)"/.exec(labels)?.[1] ?? '?';
    const reason = /reason="([^"]*)"/.exec(labels)?.[1] ?? '?';
    return [`${component}/${reason}`, value];
  });
}
