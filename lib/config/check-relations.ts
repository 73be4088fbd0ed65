import type { OriginOf } from './check-settings.js';
import type { ConfigProblem } from './config-error.js';
import { valueAt } from './object-paths.js';
import { isValidTopicFilter, isValidTopicName, topicMatchesFilter } from '../mqtt/topics.js';
import { parseTextSchedule, TEXT_SCHEDULE_EXPECTED } from '../sources/text-schedule.js';

/** Monitors whose `frequency` schedule must be one the relay can follow, once `enable` is set. */
const SCHEDULED_SECTIONS = [
  'Butler.serviceMonitor',
  'Butler.qlikSenseLicense.serverLicenseMonitor',
];

/** Sections holding an `initialDelayMs` that must not exceed their `maxDelayMs`. */
const DELAY_SECTIONS = ['Relay.mqtt.reconnect', 'Relay.cloudMqtt.reconnect', 'Relay.publish.retry'];

/**
 * Checks between settings that each passed their own check, so a bad value is reported once,
 * by the check of its own format.
 */
export function checkRelations(config: unknown, originOf: OriginOf): ConfigProblem[] {
  return [
    ...checkTaskStartTopic(config, originOf),
    ...checkDelays(config, originOf),
    ...checkSchedules(config, originOf),
  ];
}

/**
 * A schedule is checked only where it is used: a Butler file may keep a clock-time schedule of a
 * monitor it has switched off, and must still load unchanged.
 */
function checkSchedules(config: unknown, originOf: OriginOf): ConfigProblem[] {
  return SCHEDULED_SECTIONS.flatMap((section) => {
    const key = `${section}.frequency`;
    const value = valueAt(config, key);
    if (valueAt(config, `${section}.enable`) !== true || parseTextSchedule(value) !== undefined) {
      return [];
    }
    return [withOrigin({ key, value, expected: TEXT_SCHEDULE_EXPECTED }, originOf(key))];
  });
}

/** A start request on a topic outside the subscription would never arrive. */
function checkTaskStartTopic(config: unknown, originOf: OriginOf): ConfigProblem[] {
  const rootKey = 'Butler.mqttConfig.subscriptionRootTopic';
  const startKey = 'Butler.mqttConfig.taskStartTopic';
  const root = valueAt(config, rootKey);
  const start = valueAt(config, startKey);
  if (!isValidTopicFilter(root) || !isValidTopicName(start) || topicMatchesFilter(start, root)) {
    return [];
  }
  return [
    withOrigin(
      {
        key: startKey,
        value: start,
        expected: `a topic matched by ${rootKey} (${JSON.stringify(root)})`,
      },
      originOf(startKey),
    ),
  ];
}

function checkDelays(config: unknown, originOf: OriginOf): ConfigProblem[] {
  return DELAY_SECTIONS.flatMap((section) => {
    const initialKey = `${section}.initialDelayMs`;
    const maxKey = `${section}.maxDelayMs`;
    const initial = valueAt(config, initialKey);
    const max = valueAt(config, maxKey);
    if (!isInteger(initial) || !isInteger(max) || max >= initial) return [];
    return [
      withOrigin(
        { key: maxKey, value: max, expected: `at least ${initialKey} (${initial})` },
        originOf(maxKey),
      ),
    ];
  });
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function withOrigin(problem: ConfigProblem, origin: string | undefined): ConfigProblem {
  return origin === undefined ? problem : { ...problem, origin };
}
