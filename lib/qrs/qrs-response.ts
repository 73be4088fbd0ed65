import { QrsError } from './qrs-error.js';
import type { QrsAppFull, QrsLicense, QrsTask, QrsTaskFull } from './qrs-types.js';
import type { QrsRequest } from './qrs-transport.js';

/**
 * Checks that a Repository Service answer has the shape its endpoint promises, so that code
 * further on can trust the types. Only the fields the relay reads are checked.
 */

type Guard<T> = (value: unknown) => value is T;

export function parseList<T>(body: string, request: QrsRequest, isItem: Guard<T>): T[] {
  const value = parseJson(body, request);
  if (!Array.isArray(value)) throw invalid(request, 'answered something other than a JSON array');
  const bad = value.findIndex((item) => !isItem(item));
  if (bad >= 0)
    throw invalid(request, `answered an array whose element ${bad} lacks required fields`);
  return value as T[];
}

export function parseObject<T>(body: string, request: QrsRequest, isObject: Guard<T>): T {
  const value = parseJson(body, request);
  if (!isObject(value)) throw invalid(request, 'answered an object that lacks required fields');
  return value;
}

export const isTask: Guard<QrsTask> = (value): value is QrsTask =>
  isRecord(value) && typeof value.id === 'string' && typeof value.name === 'string';

export const isTaskFull: Guard<QrsTaskFull> = (value): value is QrsTaskFull =>
  isTask(value) && hasTagsAndCustomProperties(value);

export const isAppFull: Guard<QrsAppFull> = (value): value is QrsAppFull =>
  isRecord(value) &&
  typeof value.id === 'string' &&
  typeof value.name === 'string' &&
  hasTagsAndCustomProperties(value);

export const isLicense: Guard<QrsLicense> = (value): value is QrsLicense =>
  isRecord(value) && typeof value.isExpired === 'boolean' && typeof value.keyDetails === 'string';

function hasTagsAndCustomProperties(value: Record<string, unknown>): boolean {
  const { tags, customProperties } = value;
  return (
    Array.isArray(tags) &&
    tags.every((tag) => isRecord(tag) && typeof tag.name === 'string') &&
    Array.isArray(customProperties) &&
    customProperties.every(
      (property) =>
        isRecord(property) &&
        isRecord(property.definition) &&
        typeof property.definition.name === 'string',
    )
  );
}

function parseJson(body: string, request: QrsRequest): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw invalid(request, 'answered with a body that is not JSON', error);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(request: QrsRequest, message: string, cause?: unknown): QrsError {
  return new QrsError(`QRS ${request.method} ${request.target} ${message}`, {
    kind: 'invalid-response',
    endpoint: request.endpoint,
    request: `${request.method} ${request.target}`,
    cause,
  });
}
