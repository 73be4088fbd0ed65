import { loadConfig } from '../../lib/config/index.js';
import { loadError, temporaryFile } from '../config/fixture.js';

/** A config file that sets these keys under `Relay.sessionEvents`. */
function sessionEventsFile(settings: Record<string, number>): string {
  const lines = Object.entries(settings).map(([key, value]) => `    ${key}: ${value}`);
  return temporaryFile(
    'config.yaml',
    ['Relay:', '  sessionEvents:', '    enable: true', ...lines, ''].join('\n'),
  );
}

describe('Relay.sessionEvents settings', () => {
  it('bounds what is followed and how long a user with a connection open counts, by default', () => {
    expect(loadConfig({ env: {} }).config.Relay.sessionEvents).toMatchObject({
      sessionTimeoutMinutes: 30,
      maxSessionHours: 12,
      maxTrackedUsers: 10000,
      maxProxies: 64,
      republishIntervalSeconds: 60,
    });
  });

  it('takes a republish interval from 0 to a day', () => {
    for (const seconds of [0, 1, 86400]) {
      const file = sessionEventsFile({ republishIntervalSeconds: seconds });
      expect(
        loadConfig({ file, env: {} }).config.Relay.sessionEvents.republishIntervalSeconds,
      ).toBe(seconds);
    }
  });

  it('refuses a republish interval over a day, which a timer could not hold', () => {
    // 2^31 ms and more would make Node fire the timer every millisecond.
    for (const seconds of [86401, 2_147_484]) {
      const error = loadError({
        file: sessionEventsFile({ republishIntervalSeconds: seconds }),
        env: {},
      });
      expect(error.problems).toEqual([
        expect.objectContaining({
          key: 'Relay.sessionEvents.republishIntervalSeconds',
          value: seconds,
          expected: 'a whole number from 0 to 86400',
        }),
      ]);
    }
    const fromEnv = loadError({ env: { RELAY_SESSIONEVENTS_REPUBLISHINTERVALSECONDS: '90000' } });
    expect(fromEnv.problems.map((p) => p.key)).toEqual([
      'Relay.sessionEvents.republishIntervalSeconds',
    ]);
  });

  it('refuses limits that would follow nobody, and a connected time of zero', () => {
    const error = loadError({
      file: sessionEventsFile({ maxTrackedUsers: 0, maxProxies: 0, maxSessionHours: 0 }),
      env: {},
    });
    expect(error.problems.map((p) => p.key).sort()).toEqual([
      'Relay.sessionEvents.maxProxies',
      'Relay.sessionEvents.maxSessionHours',
      'Relay.sessionEvents.maxTrackedUsers',
    ]);
  });
});
