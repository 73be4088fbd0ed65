import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReadmeSection } from './readme-section.js';
import { renderMarkdown } from './render.js';
import type { BenchSummary } from './summary.js';

/**
 * bench/results in the source tree, also when run from the compiled dist/bench; a short run's
 * results go to bench/results/short/ (not kept in git) so they never replace the full run's.
 */
function resultsFolder(summary: BenchSummary): string {
  const folder = summary.settings.mode === 'short' ? 'results/short/' : 'results/';
  return fileURLToPath(new URL(`../../../bench/${folder}`, import.meta.url));
}

/** Writes latest.json (summary and raw runs), latest.md and the README section; returns the folder. */
export function writeResults(summary: BenchSummary, raw: unknown): string {
  const results = resultsFolder(summary);
  mkdirSync(results, { recursive: true });
  const rounded = (_key: string, value: unknown): unknown =>
    typeof value === 'number' ? Math.round(value * 1000) / 1000 : value;
  writeFileSync(`${results}latest.json`, JSON.stringify({ summary, raw }, rounded, 2) + '\n');
  writeFileSync(`${results}latest.md`, renderMarkdown(summary));
  writeFileSync(`${results}readme-section.md`, `${renderReadmeSection(summary)}\n`);
  return results;
}
