import { jest } from '@jest/globals';
import { DropLogThrottle } from '../../lib/sinks/drop-log-throttle.js';
import { captureLog } from '../support/log-capture.js';

describe('DropLogThrottle', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reports the first drop at once and sums later ones into one line per interval', () => {
    const logs = captureLog();
    const throttle = new DropLogThrottle(logs.log, 'topic t', 10_000);

    throttle.record('queue-full');
    for (let i = 0; i < 5; i++) throttle.record('queue-full');
    throttle.record('expired');
    expect(logs.events('publish.dropped')).toEqual([
      expect.objectContaining({ dropped: { 'queue-full': 1 }, total: 1 }),
    ]);

    jest.advanceTimersByTime(10_000);
    expect(logs.events('publish.dropped')[1]).toMatchObject({
      level: 40,
      dropped: { 'queue-full': 5, expired: 1 },
      total: 6,
      msg: 'dropped 6 message(s) for topic t (queue-full 5, expired 1)',
    });

    jest.advanceTimersByTime(60_000);
    expect(logs.events('publish.dropped')).toHaveLength(2); // nothing new, nothing said
  });

  it('flushes what is pending and carries the latest detail', () => {
    const logs = captureLog();
    const throttle = new DropLogThrottle(logs.log, 'topic t', 10_000);
    throttle.record('rejected', 'first');
    throttle.record('rejected', 'Not authorized');
    throttle.flush();
    expect(logs.events('publish.dropped')[1]).toMatchObject({
      dropped: { rejected: 1 },
      detail: 'Not authorized',
    });
    throttle.flush();
    expect(logs.events('publish.dropped')).toHaveLength(2);
  });
});
