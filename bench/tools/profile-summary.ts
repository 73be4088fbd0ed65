/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and prints where the busy time went: self time by
 * function, by file or package, and inclusive time of the project's own functions. Percentages
 * are of the samples that were not `(idle)`, so waiting for load does not water them down.
 *
 *   node dist/bench/tools/profile-summary.js <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);

const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
let total = 0;
let idle = 0;
for (const [id, micros] of selfMicros) {
  total += micros;
  if (byId.get(id)?.callFrame.functionName === '(idle)') idle += micros;
}
const busy = total - idle;

const self = new Map<string, number>();
const byPlace = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (!node || node.callFrame.functionName === '(idle)') continue;
  add(self, functionLabel(node.callFrame), micros);
  add(byPlace, placeLabel(node.callFrame.url, node.callFrame.functionName), micros);
  // Each own function on the stack once, however deep the recursion.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const frame = byId.get(at)?.callFrame;
    if (!frame || !isOwn(frame.url)) continue;
    const label = functionLabel(frame);
    if (!seen.has(label)) add(inclusive, label, micros);
    seen.add(label);
  }
}

const seconds = (micros: number): string => (micros / 1e6).toFixed(2);
console.log(`${file}: ${seconds(total)} s sampled, ${seconds(busy)} s busy\n`);
print('self time by function', self);
print('self time by file or package', byPlace);
print("inclusive time of the project's own functions", inclusive);

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}

function print(title: string, map: Map<string, number>): void {
  console.log(`${title}, % of busy time`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [label, micros] of rows) {
    console.log(`  ${((micros / busy) * 100).toFixed(1).padStart(5)} %  ${label}`);
  }
  console.log('');
}

function functionLabel(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${shortPath(frame.url)}:${frame.lineNumber + 1} ${name}`;
}

function placeLabel(url: string, functionName: string): string {
  if (!url) return functionName; // (garbage collector), (program), (idle), natives
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return `package ${pkg}`;
  return url.startsWith('node:') ? url : shortPath(url);
}

/** `rxjs/dist/cjs/…` for a package, `dist/lib/…` for the project, else the URL as it is. */
function shortPath(url: string): string {
  const inPackage = url.lastIndexOf('node_modules/');
  if (inPackage >= 0) return url.slice(inPackage + 'node_modules/'.length);
  const index = url.indexOf('/dist/');
  return index >= 0 ? url.slice(index + 1) : url.replace(/^file:\/\//, '');
}

function isOwn(url: string): boolean {
  return /\/dist\/(lib|pipelines)\//.test(url);
}
