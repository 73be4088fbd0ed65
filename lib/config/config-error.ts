import { describeValue } from '../log/describe-value.js';

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** Dotted path such as `Butler.mqttConfig.brokerPort`, or `(file)` for the file itself. */
  key: string;
  /** The value found (masked for secrets); undefined when there was none. */
  value: unknown;
  /** What would have been accepted, e.g. `a port number (0-65535)`. */
  expected: string;
  /** Where the value came from when not from the file, e.g. `env BUTLER_MQTTCONFIG_BROKERPORT`. */
  origin?: string;
}

/** Every problem found while loading, so that all of them can be fixed in one go. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      [`Invalid configuration (${count}):`, ...problems.map((p) => `  ${describeProblem(p)}`)].join(
        '\n',
      ),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `Butler.mqttConfig.brokerPort: got "abc", expected a port number (0-65535)` */
export function describeProblem(problem: ConfigProblem): string {
  const origin = problem.origin === undefined ? '' : ` (from ${problem.origin})`;
  return `${problem.key}: got ${describeValue(problem.value)}, expected ${problem.expected}${origin}`;
}
