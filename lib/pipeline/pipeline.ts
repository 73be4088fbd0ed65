import type { Observable, OperatorFunction } from 'rxjs';
import type { RelayConfig } from '../config/types.js';
import type { OutboundMessage, PublishOutcome, QoS, RelayEvent } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { RepositoryService } from '../qrs/repository-service.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';

/** A message received from a broker, as a source sees it. */
export interface IncomingMqttMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: QoS;
  /** Present with `manualAck`: the broker gets the PUBACK once this is called. */
  ack?(): void;
}

/** What a source needs of a broker connection: a subscription as an observable. */
export interface SubscribableBroker {
  /** `manualAck`: hold each QoS 1 message's PUBACK until its `ack()` (where supported). */
  messages(
    filter: string,
    options: { qos: QoS; manualAck?: boolean },
  ): Observable<IncomingMqttMessage>;
}

/** Where pipeline output goes. `MqttSink` is the real one; tests may pass their own. */
export interface MessageSink {
  publish(message: OutboundMessage): Promise<PublishOutcome>;
}

/** Everything a source or step may use while a pipeline is built. */
export interface PipelineContext {
  readonly config: RelayConfig;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** The Qlik Sense Repository Service (QRS), for enrichment and starting tasks. */
  readonly repository: RepositoryService;
  /** Open broker connections by name (`main`, `cloud`). */
  readonly brokers: ReadonlyMap<string, SubscribableBroker>;
  /**
   * Emits once when the relay begins to shut down. Sources complete on it (after a last event,
   * if they have one to say), so every pipeline can finish its in-flight work and end.
   */
  readonly stopping$: Observable<void>;
  /** The shared source for a spec: pipelines naming the same spec share one socket or timer. */
  source(spec: SourceSpec): Observable<RelayEvent>;
}

/** A source by registered type with its parameters, e.g. `{ type: 'timer', every: '10s' }`. */
export interface SourceSpec {
  readonly type: string;
  readonly [parameter: string]: unknown;
}

/**
 * Builds a cold observable of events; it owns its socket or timer, releases it on unsubscribe,
 * and completes when `context.stopping$` emits.
 */
export type SourceFactory = (spec: SourceSpec, context: PipelineContext) => Observable<RelayEvent>;

/** A step as YAML names it: parameters in, an operator on the event stream out. */
export type StepFactory = (
  parameters: unknown,
  context: PipelineContext,
) => OperatorFunction<RelayEvent, RelayEvent>;

/**
 * A named flow from one source to MQTT messages. YAML pipelines compile to this, TypeScript
 * pipelines are written as this, and the runtime treats both alike.
 */
export interface Pipeline {
  readonly name: string;
  readonly source: SourceSpec;
  /** Turns the source's events into messages to publish. */
  build(events: Observable<RelayEvent>, context: PipelineContext): Observable<OutboundMessage>;
}

/** Identity helper that gives a TypeScript pipeline module its type checking. */
export function definePipeline(pipeline: Pipeline): Pipeline {
  return pipeline;
}

/** A problem in a pipeline definition, with the config path that holds it. */
export class PipelineDefinitionError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'PipelineDefinitionError';
  }
}
