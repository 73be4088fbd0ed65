import { ConfigError, loadConfig } from '../config/index.js';
import type { RelayConfig } from '../config/types.js';
import { builtinCatalog } from '../pipeline/catalog.js';
import { FixtureError, readPipelineFixture } from '../pipeline/pipeline-fixture.js';
import { runPipelineFixture } from '../pipeline/run-pipeline-fixture.js';
import type { ProcessIo } from './main.js';

/**
 * `sense-mqtt-relay test FILE…`: runs pipeline fixtures and prints a line per case, with what
 * differed under a failed one. Exit 0 when every case passed, 1 when one failed, 2 when a fixture
 * or the config it names cannot be used.
 */
export async function testPipelines(
  files: readonly string[],
  config: RelayConfig,
  io: ProcessIo,
): Promise<number> {
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    try {
      const fixture = readPipelineFixture(file);
      const own = fixture.config
        ? loadConfig({ file: fixture.config, env: io.env }).config
        : config;
      io.stdout.write(`${file} (${fixture.pipeline})\n`);
      for (const result of await runPipelineFixture(fixture, own, builtinCatalog())) {
        if (result.failures.length === 0) {
          passed += 1;
          io.stdout.write(`  ok    ${result.name}\n`);
        } else {
          failed += 1;
          io.stdout.write(`  FAIL  ${result.name}\n`);
          for (const failure of result.failures) io.stdout.write(`          ${failure}\n`);
        }
      }
    } catch (error) {
      if (!(error instanceof FixtureError || error instanceof ConfigError)) throw error;
      io.stderr.write(`sense-mqtt-relay: ${error.message}\n`);
      return 2;
    }
  }
  io.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
