import { printableExcerpt } from './printable-excerpt.js';

/** The task ids a start command names, or why it names none. */
export type StartTaskPayload =
  | { readonly valid: true; readonly taskIds: readonly string[] }
  | { readonly valid: false; readonly reason: string };

export interface StartTaskPayloadOptions {
  /** Accept `{"taskId": …}`, a list of ids, or a list of such objects besides the bare id. */
  readonly json: boolean;
}

/** More ids than this in one command is a mistake, not a batch. */
export const MAX_TASKS_PER_COMMAND = 100;

/**
 * What the `uuid` package's `validate()` accepts, as Butler checks a task id (facts 8): version
 * nibble 1–8 and variant 8/9/a/b, or the nil and max UUIDs; any case.
 */
const TASK_UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

export function isTaskUuid(value: unknown): value is string {
  return typeof value === 'string' && TASK_UUID.test(value);
}

/**
 * Reads a start command: Butler's bare task id (surrounding white space forgiven, so
 * `echo id | mosquitto_pub -l` works), or with `json` one of `{"taskId": "…"}`,
 * `["…", …]` and `[{"taskId": "…"}, …]`. Never throws.
 */
export function parseStartTaskPayload(
  payload: string,
  options: StartTaskPayloadOptions,
): StartTaskPayload {
  const text = payload.trim();
  if (TASK_UUID.test(text)) return { valid: true, taskIds: [text.toLowerCase()] };
  const looksJson = text.startsWith('{') || text.startsWith('[');
  if (!looksJson || !options.json) {
    return { valid: false, reason: `not a task id: ${excerpt(text)}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { valid: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  if (items.length === 0) return { valid: false, reason: 'an empty list names no task' };
  if (items.length > MAX_TASKS_PER_COMMAND) {
    return {
      valid: false,
      reason: `${items.length} tasks in one command; at most ${MAX_TASKS_PER_COMMAND}`,
    };
  }
  const taskIds: string[] = [];
  for (const [index, item] of items.entries()) {
    const where = Array.isArray(parsed) ? `item ${index}: ` : '';
    const id = taskIdOf(item, Array.isArray(parsed));
    if (typeof id !== 'string') return { valid: false, reason: `${where}${id.problem}` };
    taskIds.push(id.toLowerCase());
  }
  return { valid: true, taskIds };
}

function taskIdOf(item: unknown, inList: boolean): string | { problem: string } {
  if (inList && typeof item === 'string') {
    return isTaskUuid(item) ? item : { problem: `not a task id: ${excerpt(item)}` };
  }
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return { problem: `expected ${inList ? 'a task id or ' : ''}an object with "taskId"` };
  }
  const { taskId, ...rest } = item as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) {
    return { problem: `unknown key(s) ${unknownKeys.map((k) => excerpt(k)).join(', ')}` };
  }
  if (taskId === undefined) return { problem: 'no "taskId"' };
  return isTaskUuid(taskId) ? taskId : { problem: `"taskId" is not a task id: ${excerpt(taskId)}` };
}

/** A short, printable rendering for log lines and replies. */
function excerpt(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(printableExcerpt(Buffer.from(text, 'utf8'), 60));
}
