import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMarkdown } from './render.js';
import type { BenchSummary } from './summary.js';

/** bench/results in the source tree, also when run from the compiled dist/bench. */
const RESULTS = fileURLToPath(new URL('../../../bench/results/', import.meta.url));

/** Writes latest.json (summary and raw runs) and latest.md; returns the folder. */
export function writeResults(summary: BenchSummary, raw: unknown): string {
  mkdirSync(RESULTS, { recursive: true });
  const rounded = (_key: string, value: unknown): unknown =>
    typeof value === 'number' ? Math.round(value * 1000) / 1000 : value;
  writeFileSync(`${RESULTS}latest.json`, JSON.stringify({ summary, raw }, rounded, 2) + '\n');
  writeFileSync(`${RESULTS}latest.md`, renderMarkdown(summary));
  return RESULTS;
}
