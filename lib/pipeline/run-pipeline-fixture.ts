import { isDeepStrictEqual } from 'node:util';
import { EMPTY, Subject, lastValueFrom, timeout, toArray } from 'rxjs';
import { builtinPipelines } from '../../pipelines/index.js';
import type { RelayConfig } from '../config/types.js';
import { createEvent, type OutboundMessage, type RelayEvent } from '../events.js';
import { silentLogger } from '../log/logger.js';
import { RelayMetrics } from '../metrics/relay-metrics.js';
import { parseLogAppenderDatagram } from '../qlik/parse-log-appender-datagram.js';
import { parseProxySessionDatagram } from '../qlik/parse-proxy-session-datagram.js';
import { isProxyTag } from '../qlik/proxy-session-commands.js';
import type { QrsAppFull, QrsTaskFull } from '../qrs/qrs-types.js';
import type { RepositoryService } from '../qrs/repository-service.js';
import { unavailableRepository } from '../qrs/unavailable-repository.js';
import type { Catalog } from './catalog.js';
import { compileYamlPipelines } from './compile-yaml-pipelines.js';
import { loadPipelineModules } from './load-pipeline-modules.js';
import type { Pipeline, PipelineContext } from './pipeline.js';
import {
  FixtureError,
  type ExpectedPayload,
  type FixtureCase,
  type FixtureRepository,
  type PipelineFixture,
} from './pipeline-fixture.js';

export interface CaseResult {
  readonly name: string;
  /** Empty when the case passed. */
  readonly failures: readonly string[];
}

/** A pipeline that has not finished this long after its input ended is reported, not awaited. */
const FINISH_TIMEOUT_MS = 10_000;
const FIXTURE_SENDER = { address: '127.0.0.1', port: 0, family: 'IPv4' } as const;

/**
 * Runs every case of a fixture against the named pipeline of `config`: the pipeline is built as
 * the relay builds it (built-in, module or YAML), fed the case's input in place of its source,
 * and what it would publish is compared with what the case expects. Nothing is sent anywhere.
 */
export async function runPipelineFixture(
  fixture: PipelineFixture,
  config: RelayConfig,
  catalog: Catalog,
): Promise<CaseResult[]> {
  const pipelines = [
    ...builtinPipelines(config),
    ...(config.Relay.pipelineModules
      ? await loadPipelineModules(config.Relay.pipelineModules, catalog)
      : []),
    ...compileYamlPipelines(config.Relay.pipelines, catalog),
  ];
  const pipeline = pipelines.find((p) => p.name === fixture.pipeline);
  if (pipeline === undefined) {
    const known = pipelines.map((p) => p.name).join(', ') || 'none';
    throw new FixtureError(
      `${fixture.file}: no pipeline "${fixture.pipeline}" in the config (it has: ${known})`,
    );
  }
  const results: CaseResult[] = [];
  for (const testCase of fixture.cases) {
    results.push(await runCase(pipeline, testCase, config, fixture.repository));
  }
  return results;
}

async function runCase(
  pipeline: Pipeline,
  testCase: FixtureCase,
  config: RelayConfig,
  repository: FixtureRepository | undefined,
): Promise<CaseResult> {
  const failures: string[] = [];
  const stopping = new Subject<void>();
  const context: PipelineContext = {
    config,
    log: silentLogger(),
    metrics: new RelayMetrics(),
    repository: repository
      ? fixtureRepository(repository)
      : unavailableRepository('the fixture names no repository data'),
    brokers: new Map(),
    stopping$: stopping.asObservable(),
    source: () => EMPTY, // the case's input takes the source's place
  };
  const events = new Subject<RelayEvent>();
  const output = lastValueFrom(
    pipeline.build(events.asObservable(), context).pipe(timeout(FINISH_TIMEOUT_MS), toArray()),
  );
  testCase.input.forEach((input, index) => {
    const event = toEvent(input);
    if ('problem' in event) failures.push(`input ${index + 1} is no event: ${event.problem}`);
    else events.next(event);
  });
  events.complete();
  stopping.next();
  let messages: OutboundMessage[] = [];
  try {
    messages = await output;
  } catch (error) {
    failures.push(
      `the pipeline did not finish: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  for (const [topic, expected] of Object.entries(testCase.expect)) {
    const actual = messages.filter((m) => m.topic === topic).map((m) => String(m.payload));
    failures.push(...compareTopic(topic, expected, actual));
  }
  return { name: testCase.name, failures };
}

function toEvent(input: FixtureCase['input'][number]): RelayEvent | { problem: string } {
  if ('event' in input) return createEvent(input.event.kind, 'fixture', input.event.data);
  const bytes = Buffer.from(input.datagram, 'utf8');
  // Each port has its own parser; the tag says which port the datagram is for.
  const tag = input.datagram.split(';', 1)[0]?.toLowerCase() ?? '';
  const parsed = isProxyTag(tag)
    ? parseProxySessionDatagram(bytes, FIXTURE_SENDER, 'sessions', Date.now())
    : parseLogAppenderDatagram(bytes, FIXTURE_SENDER, 'tasks', Date.now());
  return 'problem' in parsed
    ? { problem: `${parsed.problem.reason}: ${parsed.problem.detail}` }
    : parsed.event;
}

function compareTopic(
  topic: string,
  expected: readonly ExpectedPayload[],
  actual: readonly string[],
): string[] {
  const failures: string[] = [];
  if (actual.length !== expected.length) {
    failures.push(`${topic}: expected ${expected.length} message(s), got ${actual.length}`);
  }
  expected.forEach((want, index) => {
    const got = actual[index];
    if (got === undefined) return;
    const problem = typeof want === 'string' ? compareText(want, got) : compareJson(want, got);
    if (problem) failures.push(`${topic} #${index + 1}: ${problem}`);
  });
  return failures;
}

function compareText(want: string, got: string): string | undefined {
  return want === got ? undefined : `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
}

/** Every key the case names must match; keys it leaves out (ids, times) are not compared. */
function compareJson(want: Readonly<Record<string, unknown>>, got: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(got);
  } catch {
    return `expected JSON, got ${JSON.stringify(got.slice(0, 200))}`;
  }
  const differences = Object.keys(want).filter(
    (key) => !contains((value as Record<string, unknown>)?.[key], want[key]),
  );
  return differences.length === 0
    ? undefined
    : differences
        .map(
          (key) =>
            `${key}: expected ${JSON.stringify(want[key])}, got ${JSON.stringify((value as Record<string, unknown>)?.[key])}`,
        )
        .join('; ');
}

/** Objects match by the keys expected; everything else exactly. */
function contains(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'object' && expected !== null && !Array.isArray(expected)) {
    if (typeof actual !== 'object' || actual === null) return false;
    return Object.entries(expected).every(([key, value]) =>
      contains((actual as Record<string, unknown>)[key], value),
    );
  }
  return isDeepStrictEqual(actual, expected);
}

function fixtureRepository(data: FixtureRepository): RepositoryService {
  const byId = <T>(list: readonly Record<string, unknown>[], id: string): T | undefined =>
    list.find((entry) => String(entry.id).toLowerCase() === id.toLowerCase()) as T | undefined;
  return {
    getTask: (id) => Promise.resolve(byId<QrsTaskFull>(data.tasks, id)),
    getTaskFull: (id) => Promise.resolve(byId<QrsTaskFull>(data.tasks, id)),
    getAppFull: (id) => Promise.resolve(byId<QrsAppFull>(data.apps, id)),
    startTask: () => Promise.resolve({ started: false, reason: 'not in a pipeline test' }),
    getLicense: () => Promise.reject(new Error('not in a pipeline test')),
  };
}
