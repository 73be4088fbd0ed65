import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { measureMachineBusy } from './machine-cpu.js';

export interface MachineInfo {
  readonly date: string;
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** What else kept the machine busy just before the bench, in percent of all cores. */
  readonly busyBeforePercent: number | undefined;
  readonly loadAverage1m: number;
}

/** Takes `sampleMs` to see how busy the machine is before the bench adds to it. */
export async function machineInfo(sampleMs = 1_000): Promise<MachineInfo> {
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    busyBeforePercent: await measureMachineBusy(sampleMs),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

function cpuModel(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
