import { createEvent } from '../../lib/events.js';
import { RecentActivity } from '../../lib/http/status-page/recent-activity.js';
import { RingBuffer } from '../../lib/http/status-page/ring-buffer.js';
import { someNumber } from '../support/typed-matchers.js';

describe('RingBuffer', () => {
  it('keeps the last items, newest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.newestFirst()).toEqual([]);
    for (let n = 1; n <= 7; n += 1) ring.push(n);
    expect(ring.newestFirst()).toEqual([7, 6, 5]);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('RecentActivity', () => {
  it('keeps events and messages by reference, a bounded ring per pipeline', () => {
    const recent = new RecentActivity(2);
    const busy = recent.recorder('busy');
    const quiet = recent.recorder('quiet');
    const quietEvent = createEvent('timer.tick', 'timer:t', { count: 1 });
    quiet.event(quietEvent);
    const message = { topic: 'a/b', payload: 'hello' };
    for (let n = 0; n < 50; n += 1) busy.message({ ...message, payload: `m${n}` });

    const seen = recent.newestFirst();
    expect(seen.filter((s) => s.pipeline === 'busy')).toHaveLength(2);
    const kept = seen.find((s) => s.pipeline === 'quiet');
    expect(kept?.item).toEqual({ direction: 'in', at: someNumber(), event: quietEvent });
    expect(kept?.item.direction === 'in' && kept.item.event).toBe(quietEvent);
  });

  it('lists everything newest first across pipelines', () => {
    const recent = new RecentActivity();
    const a = recent.recorder('a');
    const b = recent.recorder('b');
    a.message({ topic: 't', payload: '1' });
    b.message({ topic: 't', payload: '2' });
    const times = recent.newestFirst().map((s) => s.item.at);
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  it('shares one ring between recorders of the same name', () => {
    const recent = new RecentActivity(5);
    recent.recorder('rest').message({ topic: 't', payload: '1' });
    recent.recorder('rest').message({ topic: 't', payload: '2' });
    expect(recent.newestFirst()).toHaveLength(2);
  });
});
