import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { busyPercent, readMachineTicks, type MachineTicks } from './machine-cpu.js';

export interface ProcessSample {
  /** `performance.now()` of the bench process. */
  readonly at: number;
  readonly rssKiB: number;
  /** User plus system CPU time since the process started. */
  readonly cpuSeconds: number;
  /** The whole machine's busy and total CPU time, all cores, in clock ticks. */
  readonly machine: MachineTicks | undefined;
}

const CLOCK_TICKS_PER_SECOND = clockTicks();

/**
 * Samples a process's resident memory and CPU time, and the machine's CPU use, from /proc every
 * `intervalMs`: on a small machine the bench, the broker and the target share the cores.
 */
export class ProcessSampler {
  private readonly samples: ProcessSample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Takes a sample now (also between ticks) and returns it, or undefined once the process is gone. */
  sample(): ProcessSample | undefined {
    const rssKiB = readRssKiB(this.pid);
    const cpuSeconds = readCpuSeconds(this.pid);
    if (rssKiB === undefined || cpuSeconds === undefined) return undefined;
    const sample = { at: performance.now(), rssKiB, cpuSeconds, machine: readMachineTicks() };
    this.samples.push(sample);
    return sample;
  }

  /** Highest RSS sampled between `from` and `to` (`performance.now()` times), in MiB. */
  peakRssMiB(from: number, to: number): number | undefined {
    const within = this.samples.filter((s) => s.at >= from && s.at <= to);
    if (within.length === 0) return undefined;
    return Math.max(...within.map((s) => s.rssKiB)) / 1024;
  }

  /** The process's CPU use between `from` and `to` in percent of one core. */
  cpuPercent(from: number, to: number): number | undefined {
    const around = this.around(from, to);
    if (around === undefined) return undefined;
    const [before, after] = around;
    return ((after.cpuSeconds - before.cpuSeconds) / ((after.at - before.at) / 1000)) * 100;
  }

  /** The whole machine's CPU use between `from` and `to` in percent of all cores. */
  machineCpuPercent(from: number, to: number): number | undefined {
    const [before, after] = this.around(from, to) ?? [];
    return before?.machine && after?.machine
      ? busyPercent(before.machine, after.machine)
      : undefined;
  }

  /** The samples just outside `from` and `to`, so the span covers the whole window. */
  private around(from: number, to: number): [ProcessSample, ProcessSample] | undefined {
    const before = this.samples.filter((s) => s.at <= from).at(-1) ?? this.samples[0];
    const after = this.samples.find((s) => s.at >= to) ?? this.samples.at(-1);
    if (before === undefined || after === undefined || after.at <= before.at) return undefined;
    return [before, after];
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function readRssKiB(pid: number): number | undefined {
  const status = readProc(`/proc/${pid}/status`);
  const match = status === undefined ? null : /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** utime + stime (fields 14 and 15 of /proc/<pid>/stat), counted after the `(comm)` field. */
export function readCpuSeconds(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
