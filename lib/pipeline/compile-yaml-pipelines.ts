import type { Observable } from 'rxjs';
import type { QoS, RelayEvent } from '../events.js';
import { toMessages, type Route } from '../operators/to-messages.js';
import type { EventMatch } from '../operators/event-match.js';
import type { Catalog } from './catalog.js';
import {
  PipelineDefinitionError,
  type Pipeline,
  type PipelineContext,
  type SourceSpec,
} from './pipeline.js';

/** Every problem found in the YAML pipelines, reported together. */
export class PipelineDefinitionErrors extends Error {
  constructor(readonly problems: readonly PipelineDefinitionError[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.name = 'PipelineDefinitionErrors';
  }
}

type Problems = PipelineDefinitionError[];

/**
 * Compiles `Relay.pipelines` into pipelines. A definition reads:
 *
 *     - name: heartbeat
 *       source: { type: timer, every: 10s }     # or just the type: `source: timer`
 *       steps:                                  # optional: each step names one catalog entry
 *         - filter: { kind: timer.tick }
 *       routes:                                 # one message per route an event takes
 *         - topic: relay/heartbeat
 *           payload: '{{data.count}}'
 *           retain: true
 *
 * Shape errors surface here, all at once; a step's own parameters are checked when the pipeline
 * is built at start-up, and reported with their path.
 */
export function compileYamlPipelines(
  definitions: unknown,
  catalog: Catalog,
  basePath = 'Relay.pipelines',
): Pipeline[] {
  const problems: Problems = [];
  if (!Array.isArray(definitions)) {
    throw new PipelineDefinitionErrors([
      new PipelineDefinitionError(basePath, 'expected a list of pipelines'),
    ]);
  }
  const names = new Set<string>();
  const pipelines = definitions.flatMap((definition, index) => {
    const pipeline = compileOne(definition, `${basePath}[${index}]`, catalog, problems);
    if (pipeline && names.has(pipeline.name)) {
      problems.push(
        new PipelineDefinitionError(
          `${basePath}[${index}].name`,
          `duplicate name "${pipeline.name}"`,
        ),
      );
    }
    if (pipeline) names.add(pipeline.name);
    return pipeline ? [pipeline] : [];
  });
  if (problems.length > 0) throw new PipelineDefinitionErrors(problems);
  return pipelines;
}

function compileOne(
  definition: unknown,
  path: string,
  catalog: Catalog,
  problems: Problems,
): Pipeline | undefined {
  if (!isRecord(definition)) {
    problems.push(
      new PipelineDefinitionError(path, 'expected an object with name, source and routes'),
    );
    return undefined;
  }
  const { name, source, steps = [], routes, ...rest } = definition;
  for (const key of Object.keys(rest)) {
    problems.push(
      new PipelineDefinitionError(
        `${path}.${key}`,
        'unknown key (expected name, source, steps, routes)',
      ),
    );
  }
  const before = problems.length;
  if (typeof name !== 'string' || name.trim() === '') {
    problems.push(new PipelineDefinitionError(`${path}.name`, 'expected a non-empty string'));
  }
  const sourceSpec = readSource(source, `${path}.source`, catalog, problems);
  const stepSpecs = readSteps(steps, `${path}.steps`, catalog, problems);
  const routeList = readRoutes(routes, `${path}.routes`, problems);
  if (problems.length > before || !sourceSpec) return undefined;

  const build = (events: Observable<RelayEvent>, context: PipelineContext) => {
    const operators = stepSpecs.map(({ name: stepName, parameters, stepPath }) => {
      try {
        return (catalog.step(stepName) as NonNullable<ReturnType<Catalog['step']>>)(
          parameters,
          context,
        );
      } catch (error) {
        throw error instanceof PipelineDefinitionError
          ? new PipelineDefinitionError(
              `${stepPath}.${error.path}`,
              error.message.slice(error.path.length + 2),
            )
          : error;
      }
    });
    const chained = operators.reduce<Observable<RelayEvent>>(
      (stream, op) => stream.pipe(op),
      events,
    );
    return chained.pipe(toMessages(routeList));
  };
  return { name: name as string, source: sourceSpec, build };
}

function readSource(
  source: unknown,
  path: string,
  catalog: Catalog,
  problems: Problems,
): SourceSpec | undefined {
  const spec = typeof source === 'string' ? { type: source } : source;
  if (!isRecord(spec) || typeof spec.type !== 'string') {
    problems.push(
      new PipelineDefinitionError(path, 'expected a source type or an object with "type"'),
    );
    return undefined;
  }
  if (!catalog.source(spec.type)) {
    problems.push(
      new PipelineDefinitionError(
        `${path}.type`,
        `unknown source "${spec.type}"; known: ${catalog.sourceTypes().join(', ')}`,
      ),
    );
    return undefined;
  }
  return spec as SourceSpec;
}

interface StepSpec {
  name: string;
  parameters: unknown;
  stepPath: string;
}

function readSteps(steps: unknown, path: string, catalog: Catalog, problems: Problems): StepSpec[] {
  if (!Array.isArray(steps)) {
    problems.push(new PipelineDefinitionError(path, 'expected a list of steps'));
    return [];
  }
  return steps.flatMap((step, index) => {
    const stepPath = `${path}[${index}]`;
    const entries = isRecord(step) ? Object.entries(step) : [];
    const [entry] = entries;
    if (entries.length !== 1 || !entry) {
      problems.push(
        new PipelineDefinitionError(
          stepPath,
          'expected exactly one step name, e.g. "filter: {kind: …}"',
        ),
      );
      return [];
    }
    const [name, parameters] = entry;
    if (!catalog.step(name)) {
      problems.push(
        new PipelineDefinitionError(
          `${stepPath}.${name}`,
          `unknown step; known: ${catalog.stepNames().join(', ')}`,
        ),
      );
      return [];
    }
    return [{ name, parameters, stepPath: `${stepPath}.${name}` }];
  });
}

const ROUTE_KEYS = new Set([
  'topic',
  'payload',
  'qos',
  'retain',
  'broker',
  'expirySeconds',
  'when',
]);

function readRoutes(routes: unknown, path: string, problems: Problems): Route[] {
  if (!Array.isArray(routes) || routes.length === 0) {
    problems.push(new PipelineDefinitionError(path, 'expected a non-empty list of routes'));
    return [];
  }
  return routes.flatMap((route, index) => {
    const at = `${path}[${index}]`;
    if (!isRecord(route)) {
      problems.push(new PipelineDefinitionError(at, 'expected an object with at least "topic"'));
      return [];
    }
    const before = problems.length;
    const fail = (key: string, problem: string): void => {
      problems.push(new PipelineDefinitionError(`${at}.${key}`, problem));
    };
    for (const key of Object.keys(route))
      if (!ROUTE_KEYS.has(key)) fail(key, `unknown key (expected ${[...ROUTE_KEYS].join(', ')})`);
    if (typeof route.topic !== 'string' || route.topic === '' || /[+#]/.test(route.topic)) {
      fail(
        'topic',
        `got ${JSON.stringify(route.topic)}, expected a topic name or template without wildcards`,
      );
    }
    if (route.payload !== undefined && typeof route.payload !== 'string')
      fail('payload', 'expected a template string, "json" or "event"');
    if (route.qos !== undefined && route.qos !== 0 && route.qos !== 1 && route.qos !== 2)
      fail('qos', `got ${JSON.stringify(route.qos)}, expected 0, 1 or 2`);
    if (route.retain !== undefined && typeof route.retain !== 'boolean')
      fail('retain', 'expected true or false');
    if (route.broker !== undefined && typeof route.broker !== 'string')
      fail('broker', 'expected a broker name such as main');
    if (
      route.expirySeconds !== undefined &&
      !(Number.isInteger(route.expirySeconds) && (route.expirySeconds as number) >= 0)
    ) {
      fail('expirySeconds', 'expected a whole number of seconds');
    }
    if (route.when !== undefined && !isRecord(route.when))
      fail('when', 'expected an object with "kind" and/or "where"');
    if (problems.length > before) return [];
    return [
      {
        topic: route.topic as string,
        ...(route.payload === undefined ? {} : { payload: route.payload as string }),
        ...(route.qos === undefined ? {} : { qos: route.qos as QoS }),
        ...(route.retain === undefined ? {} : { retain: route.retain as boolean }),
        ...(route.broker === undefined ? {} : { broker: route.broker as string }),
        ...(route.expirySeconds === undefined
          ? {}
          : { expirySeconds: route.expirySeconds as number }),
        ...(route.when === undefined ? {} : { when: route.when as EventMatch }),
      },
    ];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
