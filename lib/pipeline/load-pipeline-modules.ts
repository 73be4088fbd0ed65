import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Catalog } from './catalog.js';
import { PipelineDefinitionError, type Pipeline } from './pipeline.js';

const MODULE_EXTENSIONS = new Set(['.js', '.mjs']);

/**
 * What a user's pipeline module may export: its pipelines as the default export (one or a list),
 * and optionally `register(catalog)` to add its own sources and steps for YAML pipelines to name.
 */
export interface PipelineModule {
  default?: Pipeline | readonly Pipeline[];
  register?: (catalog: Catalog) => void;
}

/**
 * Imports every .js/.mjs file of `folder` in name order. Registrations run first for all modules,
 * so a YAML pipeline may use a step that any module provides.
 */
export async function loadPipelineModules(folder: string, catalog: Catalog): Promise<Pipeline[]> {
  const files = (await readdir(folder)).filter((f) => MODULE_EXTENSIONS.has(extname(f))).sort();
  const modules: [string, PipelineModule][] = [];
  for (const file of files) {
    const path = join(folder, file);
    modules.push([path, (await import(pathToFileURL(path).href)) as PipelineModule]);
  }
  for (const [, module] of modules) module.register?.(catalog);
  return modules.flatMap(([path, module]) => {
    const exported = module.default;
    if (exported === undefined) return [];
    const pipelines = Array.isArray(exported) ? exported : [exported as Pipeline];
    for (const pipeline of pipelines) {
      if (
        !pipeline ||
        typeof pipeline.name !== 'string' ||
        typeof pipeline.build !== 'function' ||
        !pipeline.source
      ) {
        throw new PipelineDefinitionError(
          path,
          'the default export must be a pipeline (name, source, build) or a list of them',
        );
      }
    }
    return pipelines;
  });
}
