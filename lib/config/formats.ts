import convict from 'convict';
import { isPlainRecord } from './object-paths.js';
import { isValidTopicFilter, isValidTopicName } from '../mqtt/topics.js';
import type { MonitoredHost, MonitoredService, NameValuePair } from './types.js';

/** How the value of one setting is checked, described in messages and read from text. */
export interface ValueFormat<T> {
  /** Unique name; the schema refers to the format by it. */
  readonly name: string;
  /** Completes "expected …" in problem messages. */
  readonly expected: string;
  readonly accepts: (value: unknown) => value is T;
  /**
   * Turns text (an environment variable, a command-line option, a quoted YAML value) into a
   * value of this format, or returns the text unchanged so the check reports it as it was given.
   */
  readonly fromText?: (text: string) => unknown;
}

const formatsByName = new Map<string, ValueFormat<unknown>>();

/** The format a schema entry names, or undefined for a name no format was defined with. */
export function formatNamed(name: unknown): ValueFormat<unknown> | undefined {
  return typeof name === 'string' ? formatsByName.get(name) : undefined;
}

/**
 * Registers the format with convict too: convict refuses schemas that name unknown formats, and
 * its own coercion of text is lossy ("abc" becomes NaN, "no" becomes true).
 */
function defineFormat<T>(format: ValueFormat<T>): ValueFormat<T> {
  formatsByName.set(format.name, format);
  convict.addFormat({
    name: format.name,
    validate(value: unknown) {
      if (!format.accepts(value)) throw new Error(`must be ${format.expected}`);
    },
    coerce: format.fromText ?? ((text: unknown) => text),
  });
  return format;
}

// --- reading text -----------------------------------------------------------------------------

function booleanFromText(text: string): unknown {
  const word = text.trim().toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  return text;
}

function numberFromText(text: string): unknown {
  const trimmed = text.trim();
  const value = Number(trimmed);
  return trimmed !== '' && Number.isFinite(value) ? value : text;
}

function jsonFromText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A JSON array, or a comma-separated list for the common case of plain words. */
function listFromText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) return jsonFromText(trimmed);
  return trimmed.split(',').map((item) => item.trim());
}

// --- checks -----------------------------------------------------------------------------------

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNonEmptyString(value: unknown): value is string {
  return isString(value) && value.trim() !== '';
}

/** A check for a list whose every item passes `isItem`. */
function isListOf<T>(isItem: (item: unknown) => item is T): (value: unknown) => value is T[] {
  return (value): value is T[] => Array.isArray(value) && value.every((item) => isItem(item));
}

function isNameValuePair(value: unknown): value is NameValuePair {
  return isPlainRecord(value) && isNonEmptyString(value.name) && isString(value.value);
}

function isMonitoredService(value: unknown): value is MonitoredService {
  return isPlainRecord(value) && isNonEmptyString(value.name) && isString(value.friendlyName);
}

function isMonitoredHost(value: unknown): value is MonitoredHost {
  return (
    isPlainRecord(value) &&
    isNonEmptyString(value.host) &&
    (value.services === null || isListOf(isMonitoredService)(value.services))
  );
}

// --- formats ----------------------------------------------------------------------------------

export const flag = defineFormat({
  name: 'flag',
  expected: 'true or false',
  accepts: (value): value is boolean => typeof value === 'boolean',
  fromText: booleanFromText,
});

export const text = defineFormat({
  name: 'text',
  expected: 'a string',
  accepts: isString,
});

export const hostName = defineFormat({
  name: 'host-name',
  expected: 'a host name or IP address',
  accepts: (value): value is string => isNonEmptyString(value) && !/[\s/]/.test(value),
});

export const portNumber = defineFormat({
  name: 'port-number',
  expected: 'a port number (0-65535)',
  accepts: (value): value is number => isInteger(value) && value >= 0 && value <= 65535,
  fromText: numberFromText,
});

/** A whole number within `min`..`max` (inclusive); no upper bound when `max` is omitted. */
export function integerIn(min: number, max?: number): ValueFormat<number> {
  return defineFormat({
    name: `integer ${min}..${max ?? ''}`,
    expected:
      max === undefined
        ? `a whole number of at least ${min}`
        : `a whole number from ${min} to ${max}`,
    accepts: (value): value is number =>
      isInteger(value) && value >= min && (max === undefined || value <= max),
    fromText: numberFromText,
  });
}

/** Any number within `min`..`max` (inclusive). */
export function numberIn(min: number, max: number): ValueFormat<number> {
  return defineFormat({
    name: `number ${min}..${max}`,
    expected: `a number from ${min} to ${max}`,
    accepts: (value): value is number => typeof value === 'number' && value >= min && value <= max,
    fromText: numberFromText,
  });
}

export const positiveNumber = defineFormat({
  name: 'positive-number',
  expected: 'a number greater than 0',
  accepts: (value): value is number =>
    typeof value === 'number' && Number.isFinite(value) && value > 0,
  fromText: numberFromText,
});

/** Exactly one of the listed values. */
export function oneOf<const V extends string | number | boolean>(
  values: readonly V[],
): ValueFormat<V> {
  return defineFormat({
    name: `one of ${values.map(String).join('|')}`,
    expected: `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`,
    accepts: (value): value is V => values.includes(value as V),
    // Text matches a value by its spelling, so "5" gives 5 and "true" gives true.
    fromText: (input) => values.find((value) => String(value) === input.trim()) ?? input,
  });
}

/**
 * A path to a file or folder. Settings with this format are resolved against the folder of the
 * config file they come from; '' means "not set".
 */
export const filePath = defineFormat({
  name: 'file-path',
  expected: 'a file path (a string)',
  accepts: isString,
});

export const topicName = defineFormat({
  name: 'mqtt-topic-name',
  expected:
    'an MQTT topic name (not empty, no + or # wildcards, no control characters, at most 65535 bytes)',
  accepts: isValidTopicName,
});

export const optionalTopicName = defineFormat({
  name: 'mqtt-topic-name-or-empty',
  expected: "'' (none) or an MQTT topic name (no + or # wildcards, no control characters)",
  accepts: (value): value is string => value === '' || isValidTopicName(value),
});

export const topicFilter = defineFormat({
  name: 'mqtt-topic-filter',
  expected:
    'an MQTT topic filter (not empty, + and # only as a whole level, # only as the last level)',
  accepts: isValidTopicFilter,
});

export const stringList = defineFormat({
  name: 'string-list',
  expected: 'a list of strings',
  accepts: isListOf(isString),
  fromText: listFromText,
});

export const nameValueList = defineFormat({
  name: 'name-value-list',
  expected: 'a list of { name, value } entries with string values',
  accepts: isListOf(isNameValuePair),
  fromText: jsonFromText,
});

export const monitoredHostList = defineFormat({
  name: 'monitored-host-list',
  expected: 'a list of { host, services: [{ name, friendlyName }] } entries',
  accepts: isListOf(isMonitoredHost),
  fromText: jsonFromText,
});

export const objectList = defineFormat({
  name: 'object-list',
  expected: 'a list of objects',
  accepts: isListOf(isPlainRecord),
  fromText: jsonFromText,
});

export const freeObject = defineFormat({
  name: 'free-object',
  expected: 'an object (a YAML mapping)',
  accepts: isPlainRecord,
  fromText: jsonFromText,
});
