import { isValidTopicFilter, isValidTopicName, topicMatchesFilter } from '../../lib/mqtt/topics.js';

describe('isValidTopicName', () => {
  test.each([
    ['qliksense/task_failure', true],
    ['a', true],
    ['/leading/slash', true],
    ['trailing/', true],
    ['a//b', true],
    ['with space/and ünïcode', true],
    ['$SYS/broker/load', true],
    ['x'.repeat(65535), true],
    ['', false],
    ['a/+/b', false],
    ['a/#', false],
    ['a+b', false],
    ['a#b', false],
    ['nul\u0000inside', false],
    ['tab\tinside', false], // Mosquitto closes a client that publishes a control character
    ['del\u007Finside', false],
    ['c1\u0085control', false],
    ['non\uFFFEcharacter', false],
    ['x'.repeat(65536), false],
    ['é'.repeat(32768), false], // 65536 bytes in UTF-8
    ['lone\uD800surrogate', false],
  ])('%j → %s', (topic, valid) => {
    expect(isValidTopicName(topic)).toBe(valid);
  });

  test('rejects what is not a string', () => {
    expect(isValidTopicName(42)).toBe(false);
    expect(isValidTopicName(undefined)).toBe(false);
  });
});

describe('isValidTopicFilter', () => {
  test.each([
    ['qliksense/#', true],
    ['#', true],
    ['+', true],
    ['+/+', true],
    ['/+', true],
    ['a/+/c/#', true],
    ['qliksense/start_task', true],
    ['', false],
    ['a/#/c', false],
    ['a#', false],
    ['a/b#', false],
    ['a+/b', false],
    ['a/+b', false],
    ['##', false],
    ['nul\u0000/#', false],
  ])('%j → %s', (filter, valid) => {
    expect(isValidTopicFilter(filter)).toBe(valid);
  });
});

describe('topicMatchesFilter', () => {
  test.each([
    ['qliksense/start_task', 'qliksense/#', true],
    ['qliksense', 'qliksense/#', true], // `#` also covers its parent level
    ['qliksense/a/b/c', 'qliksense/#', true],
    ['other/start_task', 'qliksense/#', false],
    ['qliksense/start_task', 'qliksense/start_task', true],
    ['qliksense/start_task', 'qliksense/start', false],
    ['qliksense/start_task/x', 'qliksense/start_task', false],
    ['a/b/c', 'a/+/c', true],
    ['a/b/x/c', 'a/+/c', false],
    ['a/b', 'a/+', true],
    ['a', 'a/+', false],
    ['a/', 'a/+', true], // `+` matches an empty level
    ['/finance', '+/+', true],
    ['/finance', '/+', true],
    ['/finance', '+', false],
    ['anything/at/all', '#', true],
    ['$SYS/broker/load', '#', false], // wildcards at the first level skip `$` topics
    ['$SYS/broker/load', '+/broker/load', false],
    ['$SYS/broker/load', '$SYS/#', true],
    ['$SYS/broker/load', '$SYS/+/load', true],
    ['a/$b', 'a/+', true], // the `$` rule applies to the first level only
    ['a/+', 'a/+', false], // not a topic name
    ['a/b', 'a/#/b', false], // not a filter
  ])('%j on %j → %s', (topic, filter, matches) => {
    expect(topicMatchesFilter(topic, filter)).toBe(matches);
  });
});

describe('topicMatchesFilter with shared subscriptions and $ topics', () => {
  it.each([
    ['qliksense/start', '$share/relays/qliksense/#', true],
    ['other/start', '$share/relays/qliksense/+', false],
    ['$SYS/broker/uptime', '#', false],
    ['$SYS/broker/uptime', '+/broker/uptime', false],
    ['$SYS/broker/uptime', '$SYS/#', true],
    ['/a', '+', false],
  ])('%s on %s: %s', (topic, filter, expected) => {
    expect(topicMatchesFilter(topic, filter)).toBe(expected);
  });
});
