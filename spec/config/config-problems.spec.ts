import { ConfigError, loadConfig, type ConfigProblem } from '../../lib/config/index.js';
import { fixture, loadError } from './fixture.js';

describe('every problem is reported at once, with key, value and what was expected', () => {
  const error = loadError({ file: fixture('many-problems.yaml'), env: {} });
  const problemAt = (key: string): ConfigProblem | undefined =>
    error.problems.find((problem) => problem.key === key);

  test('is a ConfigError carrying all the problems', () => {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.problems.map((problem) => problem.key).sort()).toEqual(
      [
        'Butler.mqttConfig.brokerPort',
        'Butler.mqttConfig.enable',
        'Butler.mqttConfig.subscriptionRootTopic',
        'Butler.mqttConfig.taskAbortedTopic',
        'Butler.mqttConfig.taskFailureTopic',
        'Butler.udpServerConfig.portTaskFailure',
        'Relay.log.level',
        'Relay.log.levle',
        'Relay.publish.inFlight',
      ].sort(),
    );
  });

  test.each<[string, ConfigProblem]>([
    [
      'bad type',
      { key: 'Butler.mqttConfig.enable', value: 'yes please', expected: 'true or false' },
    ],
    [
      'port out of range',
      {
        key: 'Butler.mqttConfig.brokerPort',
        value: 70000,
        expected: 'a port number (0-65535)',
      },
    ],
    [
      'port that is not a number',
      {
        key: 'Butler.udpServerConfig.portTaskFailure',
        value: 'abc',
        expected: 'a port number (0-65535)',
      },
    ],
    [
      'bad filter',
      {
        key: 'Butler.mqttConfig.subscriptionRootTopic',
        value: 'qliksense/#/more',
        expected: expect.stringContaining('an MQTT topic filter') as string,
      },
    ],
    [
      'wildcard in a topic name',
      {
        key: 'Butler.mqttConfig.taskFailureTopic',
        value: 'qliksense/+/failure',
        expected: expect.stringContaining('an MQTT topic name') as string,
      },
    ],
    [
      'empty topic name',
      {
        key: 'Butler.mqttConfig.taskAbortedTopic',
        value: '',
        expected: expect.stringContaining('an MQTT topic name') as string,
      },
    ],
    [
      'bad enum',
      {
        key: 'Relay.log.level',
        value: 'loud',
        expected: 'one of "trace", "debug", "info", "warn", "error", "fatal"',
      },
    ],
    [
      'unknown Relay key',
      {
        key: 'Relay.log.levle',
        value: 'debug',
        expected: 'one of the keys known here (level, pretty)',
      },
    ],
    [
      'number out of range',
      {
        key: 'Relay.publish.inFlight',
        value: 0,
        expected: 'a whole number from 1 to 65000',
      },
    ],
  ])('%s', (_kind, expected) => {
    expect(problemAt(expected.key)).toEqual(expected);
  });

  test('the message lists one problem per line', () => {
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Invalid configuration (9 problems):');
    expect(lines).toHaveLength(10);
    expect(lines).toContain(
      '  Butler.mqttConfig.brokerPort: got 70000, expected a port number (0-65535)',
    );
    expect(lines).toContain(
      '  Butler.udpServerConfig.portTaskFailure: got "abc", expected a port number (0-65535)',
    );
  });
});

describe('taskStartTopic must lie under subscriptionRootTopic', () => {
  test('a start topic outside the subscription is reported', () => {
    const error = loadError({ file: fixture('taskstart-outside.yaml'), env: {} });
    expect(error.problems).toEqual([
      {
        key: 'Butler.mqttConfig.taskStartTopic',
        value: 'butler/start_task',
        expected: 'a topic matched by Butler.mqttConfig.subscriptionRootTopic ("qliksense/#")',
      },
    ]);
  });

  test('is not checked again when the filter itself is invalid', () => {
    const error = loadError({
      env: { BUTLER_MQTTCONFIG_SUBSCRIPTIONROOTTOPIC: 'a/#/b' },
    });
    expect(error.problems.map((problem) => problem.key)).toEqual([
      'Butler.mqttConfig.subscriptionRootTopic',
    ]);
  });
});

describe('monitor schedules', () => {
  test('an enabled monitor with a schedule the relay cannot follow is reported by key', () => {
    const error = loadError({
      env: {
        BUTLER_SERVICEMONITOR_ENABLE: 'true',
        BUTLER_SERVICEMONITOR_FREQUENCY: 'at 10:15 on Monday',
        BUTLER_QLIKSENSELICENSE_SERVERLICENSEMONITOR_ENABLE: 'true',
        BUTLER_QLIKSENSELICENSE_SERVERLICENSEMONITOR_FREQUENCY: 'every fortnight',
      },
    });
    expect(error.problems.map(({ key, value, origin }) => ({ key, value, origin }))).toEqual([
      {
        key: 'Butler.serviceMonitor.frequency',
        value: 'at 10:15 on Monday',
        origin: 'env BUTLER_SERVICEMONITOR_FREQUENCY',
      },
      {
        key: 'Butler.qlikSenseLicense.serverLicenseMonitor.frequency',
        value: 'every fortnight',
        origin: 'env BUTLER_QLIKSENSELICENSE_SERVERLICENSEMONITOR_FREQUENCY',
      },
    ]);
    expect(error.problems[0]?.expected).toMatch(/every 30 seconds/);
  });

  test('a switched-off monitor keeps whatever schedule a Butler file has', () => {
    expect(() =>
      loadConfig({ env: { BUTLER_SERVICEMONITOR_FREQUENCY: 'at 10:15 on Monday' } }),
    ).not.toThrow();
  });
});

describe('problems from env vars and overrides', () => {
  test('say where the value came from', () => {
    const error = loadError({
      env: { BUTLER_MQTTCONFIG_BROKERPORT: 'abc', RELAY_LOG_PRETTY: 'maybe' },
      overrides: { 'Relay.mqtt.keepaliveSeconds': -1 },
    });
    expect(error.problems).toEqual([
      {
        key: 'Butler.mqttConfig.brokerPort',
        value: 'abc',
        expected: 'a port number (0-65535)',
        origin: 'env BUTLER_MQTTCONFIG_BROKERPORT',
      },
      {
        key: 'Relay.log.pretty',
        value: 'maybe',
        expected: 'one of "auto", true, false',
        origin: 'env RELAY_LOG_PRETTY',
      },
      {
        key: 'Relay.mqtt.keepaliveSeconds',
        value: -1,
        expected: 'a whole number from 0 to 65535',
        origin: 'override',
      },
    ]);
    expect(error.message).toContain(
      'Butler.mqttConfig.brokerPort: got "abc", expected a port number (0-65535) (from env BUTLER_MQTTCONFIG_BROKERPORT)',
    );
  });

  test('an override for a key the schema does not have', () => {
    const error = loadError({ env: {}, overrides: { 'Relay.log.colour': 'red' } });
    expect(error.problems).toEqual([
      {
        key: 'Relay.log.colour',
        value: 'red',
        expected: 'the dotted path of a setting, e.g. Relay.log.level',
        origin: 'override',
      },
    ]);
  });
});

describe('checks between settings', () => {
  test('a maximum delay below its initial delay', () => {
    const error = loadError({
      env: { RELAY_PUBLISH_RETRY_INITIALDELAYMS: '5000', RELAY_PUBLISH_RETRY_MAXDELAYMS: '100' },
    });
    expect(error.problems).toEqual([
      {
        key: 'Relay.publish.retry.maxDelayMs',
        value: 100,
        expected: 'at least Relay.publish.retry.initialDelayMs (5000)',
        origin: 'env RELAY_PUBLISH_RETRY_MAXDELAYMS',
      },
    ]);
  });
});

describe('sections of the wrong shape', () => {
  test('a value where a section belongs', () => {
    const error = loadError({ env: {}, overrides: {}, file: fixture('wrong-shape.yaml') });
    expect(error.problems).toEqual([
      {
        key: 'Relay.log',
        value: 'debug',
        expected: 'a section (a YAML mapping) with the keys level, pretty',
      },
      {
        key: 'Relay.http.port',
        value: { number: 80 },
        expected: 'a port number (0-65535)',
      },
    ]);
  });

  test('a value that contains itself is reported, not a crash', () => {
    const error = loadError({ env: {}, file: fixture('self-referencing-value.yaml') });
    expect(error.problems.map((problem) => problem.key)).toEqual([
      'Butler.mqttConfig.taskFailureTopic',
    ]);
    expect(error.message).toContain('Butler.mqttConfig.taskFailureTopic: got [object Object]');
  });
});
