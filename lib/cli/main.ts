import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, maskConfig, type LoadedConfig } from '../config/index.js';
import { renderConfigurationReference } from '../config/configuration-reference.js';
import { createLogger, type LogLevel } from '../log/logger.js';
import { startRelay } from '../relay.js';
import { defaultConfigFile, packageVersion } from './package-root.js';
import {
  parseCommandLine,
  UsageError,
  type CommandLine,
  type TestEventCommand,
} from './parse-command-line.js';
import { pipelineProblems } from './pipeline-problems.js';
import { sendTestEvent } from './send-test-event.js';
import { targetForListener } from './udp-target.js';
import { testPipelines } from './test-pipelines.js';
import { releaseYoungGeneration } from './start-up-heap.js';
import { USAGE } from './usage.js';
import { watch } from './watch.js';

export interface ProcessIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Ends a long-running command (`watch`) as SIGINT would; for embedding and tests. */
  signal?: AbortSignal;
}

const defaultIo: ProcessIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/**
 * The command-line entry. Resolves with the exit code: 0 success, 1 invalid config, failed start
 * or failed send, 2 wrong command line. `run` resolves only after a SIGINT/SIGTERM shutdown.
 */
export async function main(argv: readonly string[], io: ProcessIo = defaultIo): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(argv);
    if (commandLine.configFile !== undefined && !existsSync(commandLine.configFile)) {
      throw new UsageError(`config file not found: ${resolve(commandLine.configFile)}`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(
      `sense-mqtt-relay: ${error.message}\nRun "sense-mqtt-relay --help" for usage.\n`,
    );
    return 2;
  }

  switch (commandLine.command) {
    case 'help':
      io.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    case 'config-reference':
      io.stdout.write(renderConfigurationReference());
      return 0;
    default:
      break;
  }
  // With an explicit target the config has nothing to add.
  const testEvent = commandLine.testEvent;
  if (testEvent?.to) return sendTestEvent(testEvent, testEvent.to, io);

  const file = commandLine.configFile ?? defaultConfigFile();
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({
      file,
      env: io.env,
      ...(commandLine.logLevel ? { overrides: { 'Relay.log.level': commandLine.logLevel } } : {}),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`sense-mqtt-relay: invalid config ${file}\n${indent(error.message)}\n`);
    return 1;
  }

  if (commandLine.command === 'check-config') {
    const problems = await pipelineProblems(loaded.config);
    if (problems.length > 0) {
      io.stderr.write(`sense-mqtt-relay: invalid config ${file}\n${indent(problems.join('\n'))}\n`);
      return 1;
    }
    io.stdout.write(
      `config OK: ${file}\n` +
        (loaded.ignored.length > 0 ? `not used by the relay: ${loaded.ignored.join(', ')}\n` : ''),
    );
    return 0;
  }
  if (commandLine.command === 'watch') return watch(loaded.config, commandLine.topics ?? [], io);
  if (commandLine.command === 'test') {
    return testPipelines(commandLine.fixtures ?? [], loaded.config, io);
  }
  if (commandLine.command === 'print-config') {
    io.stdout.write(stringify(maskConfig(loaded.config)));
    return 0;
  }
  if (testEvent) return sendTestEventToConfigured(testEvent, loaded, io);
  return run(loaded, io);
}

async function run(loaded: LoadedConfig, io: ProcessIo): Promise<number> {
  const { config } = loaded;
  const pretty = config.Relay.log.pretty === 'auto' ? undefined : config.Relay.log.pretty;
  const log = createLogger({
    level: config.Relay.log.level as LogLevel,
    stream: io.stdout,
    ...(pretty === undefined ? {} : { pretty }),
  });
  log.info({ event: 'relay.starting', config: loaded.file, version: packageVersion() }, 'starting');
  for (const section of loaded.ignored) {
    log.debug(
      { event: 'config.ignored', section },
      `config section ${section} is not used by the relay`,
    );
  }

  let relay;
  try {
    relay = await startRelay({ config, log });
    releaseYoungGeneration(); // started: from here on, load decides how the heap grows
  } catch (error) {
    log.fatal(
      { event: 'relay.start-failed', err: error },
      `could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'relay.stopping', signal }, `received ${signal}; shutting down`);
      relay.stop().then(
        () => resolveExit(0),
        (error: unknown) => {
          log.error({ event: 'relay.stop-failed', err: error }, 'shutdown did not finish cleanly');
          resolveExit(1);
        },
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

/** Sends to the listener the config describes; exit 2 when it names no port to send to. */
function sendTestEventToConfigured(
  testEvent: TestEventCommand,
  loaded: LoadedConfig,
  io: ProcessIo,
): Promise<number> {
  const udp = loaded.config.Butler.udpServerConfig;
  const file = loaded.file ?? 'the config';
  if (udp.portTaskFailure === 0) {
    io.stderr.write(
      `sense-mqtt-relay: Butler.udpServerConfig.portTaskFailure is 0 in ${file} (any free port); say where with --to host:port\n`,
    );
    return Promise.resolve(2);
  }
  if (!udp.enable) {
    io.stderr.write(
      `note: Butler.udpServerConfig.enable is false in ${file}: a relay running on it does not listen\n`,
    );
  }
  return sendTestEvent(testEvent, targetForListener(udp.serverHost, udp.portTaskFailure), io);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
