const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a GUID in the 8-4-4-4-12 hex form (any version nibble, any case). */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Task and app ids may be empty (external program, user sync and distribute tasks have no app). */
export function isGuidOrEmpty(value: string): boolean {
  return value === '' || GUID.test(value);
}
