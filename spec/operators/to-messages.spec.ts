import { NEVER, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createEvent, type OutboundMessage, type RelayEvent } from '../../lib/events.js';
import { toMessages } from '../../lib/operators/to-messages.js';
import { observableMatcher } from '../support/observable-matcher.js';

const failed = createEvent(
  'task.failed',
  'udp',
  { taskName: 'Reload - Sales', host: 'qs1', n: 1 },
  'e1',
);
const aborted = createEvent(
  'task.aborted',
  'udp',
  { taskName: 'Reload - HR', host: 'qs2', n: 2 },
  'e2',
);

describe('toMessages', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('renders topic and payload templates, carrying the event id and route options', () => {
    const routes = [
      {
        topic: 'sense/{{data.host}}/failed',
        payload: '{{data.taskName}}',
        qos: 1 as const,
        retain: true,
      },
    ];
    const expected: OutboundMessage = {
      topic: 'sense/qs1/failed',
      payload: 'Reload - Sales',
      eventId: 'e1',
      qos: 1,
      retain: true,
    };
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<RelayEvent>('-a-|', { a: failed }).pipe(toMessages(routes))).toBe(
        '-m-|',
        {
          m: expected,
        },
      );
    });
  });

  it('defaults the payload to the event data as compact JSON', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold<RelayEvent>('-a|', { a: failed }).pipe(toMessages([{ topic: 't' }])),
      ).toBe('-m|', {
        m: {
          topic: 't',
          payload: '{"taskName":"Reload - Sales","host":"qs1","n":1}',
          eventId: 'e1',
        },
      });
    });
  });

  it('emits one message per route taken, in route order, and none when no route applies', () => {
    const routes = [
      { topic: 'all', payload: '{{kind}}' },
      { topic: 'failed-only', payload: '{{data.n}}', when: { kind: 'task.failed' } },
    ];
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold<RelayEvent>('-a----b-|', { a: failed, b: aborted }).pipe(toMessages(routes)),
      ).toBe('-(xy)-z-|', {
        x: { topic: 'all', payload: 'task.failed', eventId: 'e1' },
        y: { topic: 'failed-only', payload: '1', eventId: 'e1' },
        z: { topic: 'all', payload: 'task.aborted', eventId: 'e2' },
      });
      expectObservable(
        cold<RelayEvent>('-b-|', { b: aborted }).pipe(
          toMessages([{ topic: 'x', when: { kind: 'nope' } }]),
        ),
      ).toBe('---|');
    });
  });

  it('accepts functions for topic and payload', () => {
    const routes = [{ topic: (e: RelayEvent) => `k/${e.kind}`, payload: () => Buffer.from('raw') }];
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<RelayEvent>('a|', { a: failed }).pipe(toMessages(routes))).toBe('m|', {
        m: { topic: 'k/task.failed', payload: Buffer.from('raw'), eventId: 'e1' },
      });
    });
  });

  it('errors when a payload function throws, and passes source errors through', () => {
    const routes = [
      {
        topic: 't',
        payload: () => {
          throw new Error('bad payload');
        },
      },
    ];
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<RelayEvent>('-a-|', { a: failed }).pipe(toMessages(routes))).toBe(
        '-#',
        undefined,
        new Error('bad payload'),
      );
      expectObservable(
        cold<RelayEvent>('-#', {}, new Error('src')).pipe(toMessages([{ topic: 't' }])),
      ).toBe('-#', undefined, new Error('src'));
    });
  });

  it('handles early unsubscribe, empty and never', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot<RelayEvent>('-a-a-a-|', { a: failed });
      expectObservable(source.pipe(toMessages([{ topic: 't', payload: 'p' }])), '^--!').toBe(
        '-m-',
        {
          m: { topic: 't', payload: 'p', eventId: 'e1' },
        },
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectObservable(cold<RelayEvent>('|').pipe(toMessages([{ topic: 't' }]))).toBe('|');
      expectObservable((NEVER as Observable<RelayEvent>).pipe(toMessages([{ topic: 't' }]))).toBe(
        '',
      );
    });
  });
});
