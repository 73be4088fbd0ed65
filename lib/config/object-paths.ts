/** A YAML mapping or JSON object (not an array, not null). */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted path such as `Relay.log.level` ('' = the root), or undefined when any
 * part is missing.
 */
export function valueAt(root: unknown, path: string): unknown {
  if (path === '') return root;
  let node = root;
  for (const key of path.split('.')) {
    if (!isPlainRecord(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** Sets the value at a dotted path whose parent objects already exist. */
export function replaceValueAt(root: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop();
  const parent = valueAt(root, keys.join('.'));
  if (last !== undefined && isPlainRecord(parent) && Object.hasOwn(parent, last)) {
    parent[last] = value;
  }
}
