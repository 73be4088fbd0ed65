import type { Pipeline, RelayConfig } from '../lib/index.js';
import { taskEventsPipeline } from './task-events.js';

/**
 * The Butler-compatible pipelines, derived from `Butler.*` keys so that a Butler config needs no
 * pipeline section. Each lives in its own file and uses only the public API of lib/index.ts.
 */
export function builtinPipelines(config: RelayConfig): Pipeline[] {
  const pipelines: Pipeline[] = [];
  if (config.Butler.udpServerConfig.enable) pipelines.push(taskEventsPipeline(config));
  return pipelines;
}
