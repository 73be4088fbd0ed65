import type { RelayConfig } from '../config/types.js';
import { builtinCatalog } from '../pipeline/catalog.js';
import {
  compileYamlPipelines,
  PipelineDefinitionErrors,
} from '../pipeline/compile-yaml-pipelines.js';
import { loadPipelineModules } from '../pipeline/load-pipeline-modules.js';
import { PipelineDefinitionError } from '../pipeline/pipeline.js';

/**
 * What `run` would refuse in `Relay.pipelines` (shape, names, unknown sources and steps), one
 * line each; empty when they compile. Pipeline modules are loaded first, as `run` does, so that
 * the sources and steps they register count.
 */
export async function pipelineProblems(config: RelayConfig): Promise<string[]> {
  const catalog = builtinCatalog();
  try {
    if (config.Relay.pipelineModules) {
      await loadPipelineModules(config.Relay.pipelineModules, catalog);
    }
    compileYamlPipelines(config.Relay.pipelines, catalog);
    return [];
  } catch (error) {
    if (error instanceof PipelineDefinitionErrors) return error.problems.map((p) => p.message);
    if (error instanceof PipelineDefinitionError) return [error.message];
    return [`Relay.pipelineModules: ${error instanceof Error ? error.message : String(error)}`];
  }
}
