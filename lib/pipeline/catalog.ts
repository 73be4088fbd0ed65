import { filterEvents } from '../operators/filter-events.js';
import type { EventMatch } from '../operators/event-match.js';
import { mqttTopicSource } from '../sources/mqtt-topic.js';
import { timerSource } from '../sources/timer.js';
import { udpSourceFromSpec } from '../sources/udp-source-spec.js';
import { logAppenderSource } from '../sources/log-appender.js';
import { proxyLogAppenderSource } from '../sources/proxy-log-appender.js';
import { cloudAppReloadSource } from '../sources/cloud-app-reload.js';
import { PipelineDefinitionError, type SourceFactory, type StepFactory } from './pipeline.js';

/**
 * The sources and steps that pipelines can name. Built-ins are registered here; a user's module
 * can register its own before its pipelines are compiled.
 */
export class Catalog {
  private readonly sources = new Map<string, SourceFactory>();
  private readonly steps = new Map<string, StepFactory>();

  registerSource(type: string, factory: SourceFactory): this {
    this.sources.set(type, factory);
    return this;
  }

  registerStep(name: string, factory: StepFactory): this {
    this.steps.set(name, factory);
    return this;
  }

  source(type: string): SourceFactory | undefined {
    return this.sources.get(type);
  }

  step(name: string): StepFactory | undefined {
    return this.steps.get(name);
  }

  sourceTypes(): string[] {
    return [...this.sources.keys()].sort();
  }

  stepNames(): string[] {
    return [...this.steps.keys()].sort();
  }
}

/** A catalog holding every built-in source and step. */
export function builtinCatalog(): Catalog {
  return new Catalog()
    .registerSource('timer', timerSource)
    .registerSource('mqtt', mqttTopicSource)
    .registerSource('udp', udpSourceFromSpec)
    .registerSource('log-appender', logAppenderSource)
    .registerSource('proxy-log-appender', proxyLogAppenderSource)
    .registerSource('qlik-cloud-app-reload', cloudAppReloadSource)
    .registerStep('filter', (parameters) => filterEvents(asEventMatch(parameters)));
}

function asEventMatch(parameters: unknown): EventMatch {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new PipelineDefinitionError('filter', 'expected an object with "kind" and/or "where"');
  }
  const { kind, where, ...rest } = parameters as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) {
    throw new PipelineDefinitionError('filter', `unknown key(s) ${unknownKeys.join(', ')}`);
  }
  const kindOk =
    kind === undefined ||
    typeof kind === 'string' ||
    (Array.isArray(kind) && kind.every((k) => typeof k === 'string'));
  if (!kindOk)
    throw new PipelineDefinitionError('filter.kind', 'expected a string or a list of strings');
  if (
    where !== undefined &&
    (where === null || typeof where !== 'object' || Array.isArray(where))
  ) {
    throw new PipelineDefinitionError('filter.where', 'expected a map of field path to value');
  }
  return { kind: kind as EventMatch['kind'], where: where as EventMatch['where'] };
}
