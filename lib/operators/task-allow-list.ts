import type { QrsTaskFull } from '../qrs/qrs-types.js';

/**
 * `Butler.startTaskFilter` when enabled: a task may be started when its id is listed, or it has
 * one of the tags, or one of the custom property values.
 */
export interface TaskAllowList {
  readonly taskIds: ReadonlySet<string>;
  readonly tags: ReadonlySet<string>;
  readonly customProperties: readonly { readonly name: string; readonly value: string }[];
}

/**
 * Reads Butler's `startTaskFilter` (`{ enable, allowTask: { taskId, tag, customProperty } }`);
 * `undefined` when it is off, so every task may be started. Throws, naming the key, on a shape it
 * cannot trust: a filter that is on but unreadable must not let everything through.
 */
export function taskAllowListFrom(
  filter: Readonly<Record<string, unknown>>,
): TaskAllowList | undefined {
  if (filter.enable !== true) return undefined;
  const allow = filter.allowTask ?? {};
  if (allow === null || typeof allow !== 'object' || Array.isArray(allow)) {
    throw new Error(
      'Butler.startTaskFilter.allowTask: expected a map of taskId, tag and customProperty',
    );
  }
  const { taskId = [], tag = [], customProperty = [] } = allow as Record<string, unknown>;
  return {
    taskIds: new Set(stringsAt('taskId', taskId).map((id) => id.toLowerCase())),
    tags: new Set(stringsAt('tag', tag)),
    customProperties: listAt('customProperty', customProperty).map((pair, index) => {
      const { name, value } = (pair ?? {}) as Record<string, unknown>;
      if (typeof name !== 'string' || typeof value !== 'string') {
        throw new Error(
          `Butler.startTaskFilter.allowTask.customProperty[${index}]: expected { name, value } strings`,
        );
      }
      return { name, value };
    }),
  };
}

/** True when the list names the task by its id alone, so no lookup is needed. */
export function allowsById(list: TaskAllowList, taskId: string): boolean {
  return list.taskIds.has(taskId.toLowerCase());
}

/** True when the list can allow a task by its tags or custom properties, which need a lookup. */
export function needsTaskMetadata(list: TaskAllowList): boolean {
  return list.tags.size > 0 || list.customProperties.length > 0;
}

/** True when the task has an allowed tag or custom property value. */
export function allowsByMetadata(list: TaskAllowList, task: QrsTaskFull): boolean {
  if (task.tags.some((tag) => list.tags.has(tag.name))) return true;
  return task.customProperties.some((property) =>
    list.customProperties.some(
      (allowed) => allowed.name === property.definition.name && allowed.value === property.value,
    ),
  );
}

function listAt(key: string, value: unknown): unknown[] {
  // A YAML key with every entry commented out reads as null.
  if (value === null) return [];
  if (!Array.isArray(value)) {
    throw new Error(`Butler.startTaskFilter.allowTask.${key}: expected a list`);
  }
  return value;
}

function stringsAt(key: string, value: unknown): string[] {
  const list = listAt(key, value);
  if (!list.every((item) => typeof item === 'string')) {
    throw new Error(`Butler.startTaskFilter.allowTask.${key}: expected a list of strings`);
  }
  return list as string[];
}
