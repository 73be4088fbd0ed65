/**
 * `npm run bench`: throughput, latency and cost of the relay against a private Mosquitto on this
 * machine, next to what the broker can take and what a naive relay does. It reports, it never
 * asserts; every phase is bounded in time. Results: stdout, bench/results/latest.{json,md}, and
 * (a full run that measured everything) the README's bench section.
 *
 * `--short` runs fewer, shorter loads (CI runs it so the bench cannot rot) and writes
 * bench/results/short/. BENCH_REPETITIONS (publishing), BENCH_LOAD_REPETITIONS (task events) and
 * BENCH_SCALE (multiplies message counts and load durations) make a quick try cheaper;
 * BENCH_RELAY_CPU_PROF=<dir> writes V8 CPU profiles of the relay there (read them with
 * dist/bench/tools/profile-summary.js).
 */
import { performance } from 'node:perf_hooks';
import { measureBrokerCeiling } from './phases/broker-ceiling.js';
import { measureRelayPublisher } from './phases/relay-publisher.js';
import { measureTaskEvents, type TaskEventsResult } from './phases/task-events.js';
import { judgeGoals } from './report/goals.js';
import { updateReadme } from './report/readme-section.js';
import { renderText } from './report/render.js';
import { summarizePublishing, summarizeTaskEvents, type BenchSummary } from './report/summary.js';
import { writeResults } from './report/write-results.js';
import { SETTINGS } from './settings.js';
import { cleanUpOnExit } from './support/children.js';
import { machineInfo } from './support/machine.js';
import { startBenchBroker, type BenchBroker } from './support/mosquitto.js';
import { Budget, repeat } from './support/repeat.js';
import { errorText } from './support/time.js';

const progress = (line: string): boolean => process.stdout.write(`${line}\n`);

async function measureAll(broker: BenchBroker, budget: Budget) {
  const { repetitions, publish } = SETTINGS;
  progress('  broker ceiling');
  const ceiling = await repeat('broker ceiling', repetitions, budget, () =>
    measureBrokerCeiling(broker, publish),
  );
  progress('  relay publisher');
  const relayPublisher = await measureRelayPublisher(
    broker,
    publish,
    SETTINGS.relayPublisher,
    repetitions,
    budget,
  );
  const problems = [...ceiling.problems, ...relayPublisher.flatMap((variant) => variant.problems)];
  let taskEvents: TaskEventsResult | undefined;
  try {
    taskEvents = await measureTaskEvents(broker, budget, process.env.BENCH_RELAY_CPU_PROF);
    problems.push(...taskEvents.targets.flatMap((target) => target.problems));
  } catch (error) {
    problems.push(`task events: ${errorText(error)}`);
  }
  return { ceiling, relayPublisher, taskEvents, problems };
}

cleanUpOnExit();
const startedAt = performance.now();
const machine = await machineInfo();
progress(
  `bench (${SETTINGS.mode}): ${machine.nproc} CPU (${machine.cpuModel}), Node ${machine.node}`,
);

let broker: BenchBroker;
try {
  broker = await startBenchBroker();
} catch (error) {
  console.error(`bench: nothing measured, ${errorText(error)}`);
  process.exit(1);
}
const measured = await measureAll(broker, new Budget(SETTINGS.budgetMs)).finally(() =>
  broker.stop(),
);

const publishing = summarizePublishing(measured.ceiling, measured.relayPublisher);
const taskEvents =
  measured.taskEvents &&
  summarizeTaskEvents(measured.taskEvents, publishing.ceiling.figures.msgsPerSecond);
const summary: BenchSummary = {
  machine,
  settings: SETTINGS,
  durationSeconds: (performance.now() - startedAt) / 1000,
  publishing,
  taskEvents,
  goals: taskEvents ? judgeGoals(taskEvents) : [],
  problems: measured.problems,
};
progress('');
progress(renderText(summary));
const folder = writeResults(summary, measured);
progress(`\nwritten: ${folder}latest.json, ${folder}latest.md`);
// Only a full run that measured everything stands for the project in the README.
if (SETTINGS.mode === 'full' && summary.problems.length === 0 && (await updateReadme(summary))) {
  progress('README.md: the bench section now quotes this run');
}
// Figures are never judged here, but a phase that broke or was skipped fails the run, so CI
// notices a bench that no longer works. Bounded in time: an open handle must not keep it alive.
process.exit(summary.problems.length === 0 ? 0 : 1);
