import { jest } from '@jest/globals';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import {
  ThrottledDropReporter,
  type DropReporterOptions,
} from '../../lib/metrics/throttled-drop-reporter.js';
import { captureLog, type LogCapture } from '../support/log-capture.js';
import { droppedByReason } from '../support/metrics.js';

describe('ThrottledDropReporter', () => {
  let logs: LogCapture;
  let metrics: RelayMetrics;

  beforeEach(() => {
    jest.useFakeTimers();
    logs = captureLog();
    metrics = new RelayMetrics();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const reporter = (options: Partial<DropReporterOptions> = {}): ThrottledDropReporter =>
    new ThrottledDropReporter({ log: logs.log, metrics, ...options });

  describe('with one line per component and reason (the default)', () => {
    const junk = { component: 'udp:tasks', sender: '10.0.0.7:50123' } as const;

    it('counts several drops reported at once, in the metric and in the first line', async () => {
      const drops = reporter();
      drops.report({ component: 'udp:tasks', reason: 'kernel-buffer', count: 2991 });
      expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({ 'kernel-buffer': 2991 });
      expect(logs.events('udp.dropped')).toEqual([
        expect.objectContaining({ reason: 'kernel-buffer', dropped: 2991 }),
      ]);
    });

    it('counts every drop and writes the first of each reason at once', async () => {
      const drops = reporter();
      drops.report({ ...junk, reason: 'malformed', detail: 'not valid UTF-8' });
      drops.report({ ...junk, reason: 'malformed', detail: 'not valid UTF-8' });
      drops.report({ ...junk, reason: 'unknown-type', detail: 'Unknown UDP message type: "/x/"' });

      expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({
        malformed: 2,
        'unknown-type': 1,
      });
      expect(logs.events('udp.dropped')).toEqual([
        expect.objectContaining({ level: 40, reason: 'malformed', dropped: 1 }),
        expect.objectContaining({
          component: 'udp:tasks',
          reason: 'unknown-type',
          dropped: 1,
          sender: '10.0.0.7:50123',
          detail: 'Unknown UDP message type: "/x/"',
          msg: 'Unknown UDP message type: "/x/"; last from 10.0.0.7:50123 (1 dropped as unknown-type since the previous warning)',
        }),
      ]);
    });

    it('writes what is pending once the interval has passed, without a further drop', () => {
      const drops = reporter({ intervalMs: 60_000 });
      for (let i = 0; i < 4; i++) drops.report({ ...junk, reason: 'malformed', detail: `#${i}` });
      expect(logs.events('udp.dropped')).toHaveLength(1);

      jest.advanceTimersByTime(59_999);
      expect(logs.events('udp.dropped')).toHaveLength(1);
      jest.advanceTimersByTime(1);
      expect(logs.events('udp.dropped')[1]).toMatchObject({ dropped: 3, detail: '#3' });
    });

    it('writes at once when its clock says the interval has passed', () => {
      let now = 0;
      const drops = reporter({ now: () => now, intervalMs: 60_000 });
      drops.report({ ...junk, reason: 'rate-limit', detail: 'first' });
      drops.report({ ...junk, reason: 'rate-limit', detail: 'second' });
      now = 60_000;
      drops.report({ ...junk, reason: 'rate-limit', detail: 'third' });
      expect(logs.events('udp.dropped').map((r) => [r.dropped, r.detail])).toEqual([
        [1, 'first'],
        [2, 'third'],
      ]);
    });

    it('adds the context of the last drop to the line', () => {
      reporter().report({ ...junk, reason: 'malformed', context: { excerpt: '??;' } });
      expect(logs.events('udp.dropped')[0]).toMatchObject({ excerpt: '??;' });
    });

    it('waits on a timer that does not keep the process alive', () => {
      const setTimer = jest.spyOn(global, 'setTimeout');
      const drops = reporter();
      drops.report({ ...junk, reason: 'malformed' });
      drops.report({ ...junk, reason: 'malformed' });
      expect(setTimer).toHaveBeenCalledTimes(1);
      const timer = setTimer.mock.results[0]?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      drops.flush();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('with one line per component, counts by reason', () => {
    const publisher = (): ThrottledDropReporter =>
      reporter({
        event: 'publish.dropped',
        lines: { per: 'component', subject: 'topic t' },
        intervalMs: 10_000,
      });

    it('reports the first drop at once and sums later ones into one line per interval', async () => {
      const throttle = publisher();

      throttle.report({ component: 'publisher', reason: 'queue-full' });
      for (let i = 0; i < 5; i++) throttle.report({ component: 'publisher', reason: 'queue-full' });
      throttle.report({ component: 'publisher', reason: 'expired' });
      expect(logs.events('publish.dropped')).toEqual([
        expect.objectContaining({ dropped: { 'queue-full': 1 }, total: 1 }),
      ]);
      expect(await droppedByReason(metrics, 'publisher')).toEqual({ 'queue-full': 6, expired: 1 });

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
      const throttle = publisher();
      throttle.report({ component: 'publisher', reason: 'rejected', detail: 'first' });
      throttle.report({ component: 'publisher', reason: 'rejected', detail: 'Not authorized' });
      throttle.flush();
      expect(logs.events('publish.dropped')[1]).toMatchObject({
        dropped: { rejected: 1 },
        detail: 'Not authorized',
      });
      throttle.flush();
      expect(logs.events('publish.dropped')).toHaveLength(2);
    });

    it('keeps the latest detail when a later drop comes without one', () => {
      const throttle = publisher();
      throttle.report({ component: 'publisher', reason: 'expired' });
      throttle.report({ component: 'publisher', reason: 'rejected', detail: 'Not authorized' });
      throttle.report({ component: 'publisher', reason: 'expired' });
      throttle.flush();
      expect(logs.events('publish.dropped')[1]).toMatchObject({
        dropped: { rejected: 1, expired: 1 },
        total: 2,
        detail: 'Not authorized',
        msg: 'dropped 2 message(s) for topic t (rejected 1, expired 1): Not authorized',
      });
    });
  });
});
