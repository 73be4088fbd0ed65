import { defer, share, type Observable } from 'rxjs';
import type { RelayEvent } from '../events.js';
import type { Catalog } from './catalog.js';
import { PipelineDefinitionError, type PipelineContext, type SourceSpec } from './pipeline.js';

/**
 * Hands out one shared observable per distinct source spec, so two pipelines reading the same UDP
 * port or topic share one socket or subscription. The source starts with its first subscriber
 * and stops after its last one leaves.
 */
export class SourceHub {
  private readonly shared = new Map<string, Observable<RelayEvent>>();

  constructor(private readonly catalog: Catalog) {}

  get(spec: SourceSpec, context: PipelineContext): Observable<RelayEvent> {
    const key = stableKey(spec);
    let source = this.shared.get(key);
    if (!source) {
      const factory = this.catalog.source(spec.type);
      if (!factory) {
        throw new PipelineDefinitionError(
          'source.type',
          `unknown source "${spec.type}"; known: ${this.catalog.sourceTypes().join(', ')}`,
        );
      }
      const built = factory(spec, context); // built now so that bad parameters fail at start-up
      source = defer(() => built).pipe(share());
      this.shared.set(key, source);
    }
    return source;
  }
}

function stableKey(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(',')}}`;
}
