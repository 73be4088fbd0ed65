import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { BenchSummary, LoadSummary, TargetLoadSummary } from './summary.js';
import { cell, markdownTable, type Row } from './table.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/**
 * Puts the headline figures of a full run between the README's bench markers, so the README
 * always quotes the latest run, with its date and machine, and never a hand-copied figure.
 * Formatted as the project's Prettier settings want it, so the lint stays green. Returns false
 * when the README has no markers.
 */
export async function updateReadme(summary: BenchSummary): Promise<boolean> {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start) return false;
  const section = `${START}\n${renderReadmeSection(summary)}\n${END}`;
  const updated = text.slice(0, start) + section + text.slice(end + END.length);
  const options = await resolveConfig(README);
  writeFileSync(README, await format(updated, { ...options, filepath: README }));
  return true;
}

export function renderReadmeSection(summary: BenchSummary): string {
  const { machine } = summary;
  const loads = summary.taskEvents?.loads ?? [];
  const labels = loads[0]?.targets.map((target) => target.label) ?? [];
  const header: Row = ['load', ...labels.map((label) => `${label}: events/s (p99 ms, lost)`)];
  const rows = loads.map((load): Row => [load.load.name, ...load.targets.map(figures)]);
  const goals = summary.goals.map((check): Row => [
    check.goal,
    check.target.replace(/^relay, outbox: /, ''),
    check.required,
    check.measured,
    check.met === undefined ? 'not measured' : check.met ? 'met' : 'not met',
  ]);
  const idle = (summary.taskEvents?.processes ?? [])
    .map((process) => `${process.label} ${cell(process.idleRssMiB)} MiB`)
    .join(', ');
  return [
    `\`npm run bench\` on ${machine.date.slice(0, 10)}: ${machine.nproc} CPU (${machine.cpuModel}), ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}; the bench, Mosquitto and the relay share ` +
      'the machine. Failed-reload datagrams, two messages each, at fixed rates for ' +
      `${loadSeconds(loads)} and as a burst; lost = offered but not delivered (every loss is ` +
      'counted by reason in the full results).',
    '',
    markdownTable(header, rows),
    '',
    `Idle memory (RSS): ${idle}.`,
    '',
    markdownTable(['goal', 'outbox', 'required', 'measured', 'verdict'], goals),
    '',
    'All figures, with CPU, drops by reason and the publisher alone against the broker: ' +
      '[bench/results/latest.md](bench/results/latest.md).',
  ].join('\n');
}

function figures({ figures: f }: TargetLoadSummary): string {
  const lost =
    f.offered === undefined || f.delivered === undefined ? undefined : f.offered - f.delivered;
  return `${cell(f.deliveredPerSecond)} (${cell(f.p99Ms, 1)}, ${cell(lost)})`;
}

function loadSeconds(loads: readonly LoadSummary[]): string {
  const steady = loads.find(({ load }) => load.ratePerSecond !== undefined)?.load;
  return steady?.ratePerSecond ? `${cell(steady.events / steady.ratePerSecond)} s` : 'a while';
}
