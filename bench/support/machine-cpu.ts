import { readFileSync } from 'node:fs';
import { sleep } from './time.js';

/** The whole machine's busy and total CPU time, all cores, in clock ticks. */
export interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

/** From the `cpu` line of /proc/stat: user … steal; idle and iowait are not busy. */
export function readMachineTicks(): MachineTicks | undefined {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return undefined;
  }
  const ticks = line?.split(/\s+/).slice(1, 9).map(Number);
  if (!ticks || ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** Busy share of all cores between two readings, in percent. */
export function busyPercent(before: MachineTicks, after: MachineTicks): number | undefined {
  const total = after.total - before.total;
  return total > 0 ? ((after.busy - before.busy) / total) * 100 : undefined;
}

/** How busy the machine is over the next `ms`, in percent of all cores. */
export async function measureMachineBusy(ms: number): Promise<number | undefined> {
  const before = readMachineTicks();
  await sleep(ms);
  const after = readMachineTicks();
  return before && after ? busyPercent(before, after) : undefined;
}
