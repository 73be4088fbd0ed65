import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * One input of a case: a log-appender datagram as the scheduler or the proxy sends it, or an event
 * as is.
 */
export type FixtureInput =
  | { readonly datagram: string }
  | { readonly event: { readonly kind: string; readonly data: unknown } };

/** A payload expected on a topic: exact text, or an object the JSON payload must contain. */
export type ExpectedPayload = string | Readonly<Record<string, unknown>>;

export interface FixtureCase {
  readonly name: string;
  readonly input: readonly FixtureInput[];
  /** Per topic, the payloads in order; topics not named are not checked. */
  readonly expect: Readonly<Record<string, readonly ExpectedPayload[]>>;
}

/** What the Repository Service answers during the fixture: full task and app records by id. */
export interface FixtureRepository {
  readonly tasks: readonly Record<string, unknown>[];
  readonly apps: readonly Record<string, unknown>[];
}

/**
 * A pipeline test an admin writes in YAML: which pipeline of which config, what goes in, what
 * must come out. `sense-mqtt-relay test FILE…` runs them.
 */
export interface PipelineFixture {
  readonly file: string;
  readonly pipeline: string;
  /** Absolute; undefined = the config the command was given. */
  readonly config?: string;
  readonly repository?: FixtureRepository;
  readonly cases: readonly FixtureCase[];
}

/** A fixture file that cannot be used, with the reason. */
export class FixtureError extends Error {
  override name = 'FixtureError';
}

export function readPipelineFixture(file: string): PipelineFixture {
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FixtureError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const fail = (problem: string): never => {
    throw new FixtureError(`${file}: ${problem}`);
  };
  if (!isRecord(data)) return fail('expected a mapping with pipeline and cases');
  if (typeof data.pipeline !== 'string') return fail('pipeline: expected a pipeline name');
  if (data.config !== undefined && typeof data.config !== 'string') {
    return fail('config: expected a file path');
  }
  if (!Array.isArray(data.cases) || data.cases.length === 0) return fail('cases: expected a list');
  const cases = data.cases.map((item: unknown, index: number) =>
    readCase(item, `cases[${index}]`, fail),
  );
  return {
    file,
    pipeline: data.pipeline,
    ...(data.config === undefined ? {} : { config: resolve(dirname(file), data.config) }),
    ...(data.repository === undefined ? {} : { repository: readRepository(data.repository, fail) }),
    cases,
  };
}

function readCase(item: unknown, path: string, fail: (problem: string) => never): FixtureCase {
  if (!isRecord(item)) return fail(`${path}: expected a mapping`);
  if (typeof item.name !== 'string') return fail(`${path}.name: expected text`);
  if (!Array.isArray(item.input)) return fail(`${path}.input: expected a list`);
  const input = item.input.map((entry: unknown, i: number): FixtureInput => {
    if (isRecord(entry) && typeof entry.datagram === 'string') return { datagram: entry.datagram };
    if (isRecord(entry) && isRecord(entry.event) && typeof entry.event.kind === 'string') {
      return { event: { kind: entry.event.kind, data: entry.event.data } };
    }
    return fail(`${path}.input[${i}]: expected { datagram: text } or { event: { kind, data } }`);
  });
  if (!isRecord(item.expect)) return fail(`${path}.expect: expected topics with payload lists`);
  const expect: Record<string, ExpectedPayload[]> = {};
  for (const [topic, payloads] of Object.entries(item.expect)) {
    if (!Array.isArray(payloads)) return fail(`${path}.expect.${topic}: expected a list`);
    expect[topic] = payloads.map((payload: unknown, i: number) =>
      typeof payload === 'string' || isRecord(payload)
        ? payload
        : fail(`${path}.expect.${topic}[${i}]: expected text or a mapping`),
    );
  }
  return { name: item.name, input, expect };
}

function readRepository(value: unknown, fail: (problem: string) => never): FixtureRepository {
  const list = (key: 'tasks' | 'apps'): Record<string, unknown>[] => {
    const entries = isRecord(value) ? (value[key] ?? []) : undefined;
    if (!Array.isArray(entries) || !entries.every(isRecord)) {
      return fail(`repository.${key}: expected a list of records`);
    }
    return entries;
  };
  return { tasks: list('tasks'), apps: list('apps') };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
