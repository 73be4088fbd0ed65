import { errorText } from './time.js';

/** A wall-clock allowance for the whole bench. */
export class Budget {
  private readonly deadline: number;

  constructor(ms: number) {
    this.deadline = Date.now() + ms;
  }

  get exhausted(): boolean {
    return Date.now() >= this.deadline;
  }
}

export interface Repeated<R> {
  readonly runs: R[];
  /** What failed or was skipped, one line each. */
  readonly problems: string[];
}

export function emptyRepeated<R>(): Repeated<R> {
  return { runs: [], problems: [] };
}

/**
 * Runs `once` and files its result in `into`. A failure is reported there, never thrown; once the
 * budget is spent nothing runs and the skip is reported.
 */
export async function attempt<R>(
  label: string,
  budget: Budget,
  into: Repeated<R>,
  once: () => Promise<R>,
): Promise<void> {
  if (budget.exhausted) {
    into.problems.push(`${label}: skipped, time budget spent`);
    return;
  }
  try {
    into.runs.push(await once());
  } catch (error) {
    into.problems.push(`${label}: ${errorText(error)}`);
  }
}

/** `attempt`, `times` times over. */
export async function repeat<R>(
  label: string,
  times: number,
  budget: Budget,
  once: () => Promise<R>,
): Promise<Repeated<R>> {
  const repeated = emptyRepeated<R>();
  for (let repetition = 1; repetition <= times; repetition += 1) {
    await attempt(`${label} #${repetition}`, budget, repeated, once);
  }
  return repeated;
}
