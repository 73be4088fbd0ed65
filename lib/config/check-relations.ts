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
    ...checkSessionPort(config, originOf),
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

/** With both listeners on, one port cannot serve both: the second bind would fail at start-up. */
function checkSessionPort(config: unknown, originOf: OriginOf): ConfigProblem[] {
  const taskKey = 'Butler.udpServerConfig.portTaskFailure';
  const sessionKey = 'Butler.udpServerConfig.portSessionConnectionEvents';
  const tasks = valueAt(config, taskKey);
  const sessions = valueAt(config, sessionKey);
  const bothOn =
    valueAt(config, 'Butler.udpServerConfig.enable') === true &&
    valueAt(config, 'Relay.sessionEvents.enable') === true;
  // Port 0 lets the system pick a free port for each.
  if (!bothOn || !isInteger(sessions) || sessions === 0 || sessions !== tasks) return [];
  return [
    withOrigin(
      { key: sessionKey, value: sessions, expected: `a port other than ${taskKey} (${tasks})` },
      originOf(sessionKey),
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
