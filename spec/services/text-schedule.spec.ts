import { ConfigError } from '../../lib/config/config-error.js';
import { parseTextSchedule, scheduleAt } from '../../lib/sources/text-schedule.js';

describe('text schedules as Butler users write them', () => {
  it.each([
    ['every 30 seconds', 30_000],
    ['every 1 second', 1_000],
    ['every second', 1_000],
    ['every 5 mins', 300_000],
    ['every 1 minute', 60_000],
    ['every minute', 60_000],
    ['every 2 hours', 7_200_000],
    ['every hour', 3_600_000],
    ['every 24 hours', 86_400_000],
    ['every 1 day', 86_400_000],
    ['Every 10 Seconds', 10_000],
    ['  every 15 sec ', 15_000],
    ['every 30s', 30_000],
  ])('%j is every %i ms', (text, ms) => {
    expect(parseTextSchedule(text)).toBe(ms);
  });

  it.each([
    'at 10:15 am',
    'every weekday',
    'every 0 seconds',
    'every -5 minutes',
    'every 1.5 hours',
    'every 30 fortnights',
    '30 seconds',
    '',
    42,
    null,
  ])('%j is refused', (text) => {
    expect(parseTextSchedule(text)).toBeUndefined();
  });

  it('a refused schedule is a config error naming the key, the value and what would do', () => {
    let error: unknown;
    try {
      scheduleAt('Butler.serviceMonitor.frequency', 'at 10:15 am');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'Invalid configuration (1 problem):\n' +
        '  Butler.serviceMonitor.frequency: got "at 10:15 am", expected a schedule such as "every 30 seconds", "every 5 minutes", "every hour" or "every 2 days"',
    );
  });
});
