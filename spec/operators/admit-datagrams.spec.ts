import {
  firstValueFrom,
  map,
  NEVER,
  of,
  Subject,
  throwError,
  toArray,
  type Observable,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createEvent } from '../../lib/events.js';
import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { admitDatagrams, type AdmitDatagramsDeps } from '../../lib/operators/admit-datagrams.js';
import type { HostResolver } from '../../lib/operators/allowed-sources.js';
import type { DatagramEvent, DatagramSender } from '../../lib/qlik/log-appender-events.js';
import type { UdpSourceEvent } from '../../lib/sources/udp.js';
import { captureLog, type LogCapture } from '../support/log-capture.js';
import { droppedByReason } from '../support/metrics.js';
import { observableMatcher } from '../support/observable-matcher.js';

function datagram(id: string, address: string, size = 10): DatagramEvent {
  const family = address.includes(':') ? 'IPv6' : 'IPv4';
  const sender: DatagramSender = { address, port: 40000, family };
  return createEvent(
    'udp.datagram',
    'udp:tasks',
    { bytes: Buffer.alloc(size, 0x61), sender, listener: 'tasks' },
    id,
  );
}

const values: Record<string, UdpSourceEvent> = {
  l: createEvent(
    'udp.listening',
    'udp:tasks',
    { address: '0.0.0.0', port: 9998, listener: 'tasks' },
    'l',
  ),
  e: createEvent('udp.error', 'udp:tasks', { message: 'EHOSTUNREACH', listener: 'tasks' }, 'e'),
  a: datagram('a', '10.0.0.1'),
  b: datagram('b', '10.0.0.2'),
  m: datagram('m', '::ffff:10.0.0.1'),
  s: datagram('s', '2001:db8::5'),
  x: datagram('x', '10.0.0.1', 11),
  y: datagram('y', '10.0.0.2', 11),
};

describe('admitDatagrams', () => {
  let scheduler: TestScheduler;
  let metrics: RelayMetrics;
  let captured: LogCapture;
  let deps: AdmitDatagramsDeps;

  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
    metrics = new RelayMetrics();
    captured = captureLog();
    deps = { log: captured.log, metrics, now: () => scheduler.now() };
  });

  it('lets everything through with the defaults, listening and error events included', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<UdpSourceEvent>('l-a-b-e-x-|', values);
      expectObservable(source.pipe(admitDatagrams({}, deps))).toBe('l-a-b-e-x-|', values);
    });
  });

  it('drops senders that are not allowed, matching IPv4-mapped IPv6 and IPv6 entries', async () => {
    const options = { enableSourceValidation: true, allowedSources: ['10.0.0.1', '2001:DB8:0::5'] };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<UdpSourceEvent>('l-a-b-m-s-|', values);
      expectObservable(source.pipe(admitDatagrams(options, deps))).toBe('l-a---m-s-|', values);
    });
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({ 'source-not-allowed': 1 });
    expect(captured.warnings()).toEqual([
      expect.objectContaining({
        event: 'udp.dropped',
        reason: 'source-not-allowed',
        sender: '10.0.0.2:40000',
        dropped: 1,
      }),
    ]);
  });

  it('ignores the allow-list while source validation is off', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const options = { enableSourceValidation: false, allowedSources: ['10.0.0.1'] };
      expectObservable(
        cold<UdpSourceEvent>('-b|', values).pipe(admitDatagrams(options, deps)),
      ).toBe('-b|', values);
    });
  });

  it('switches validation off, with a warning, when the allow-list is empty', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const options = { enableSourceValidation: true, allowedSources: [] };
      expectObservable(
        cold<UdpSourceEvent>('-b|', values).pipe(admitDatagrams(options, deps)),
      ).toBe('-b|', values);
    });
    expect(captured.warnings()).toEqual([
      expect.objectContaining({ event: 'udp.source-validation-off' }),
    ]);
  });

  it('drops datagrams over maxMessageSize, checking the sender first', async () => {
    const options = {
      maxMessageSize: 10,
      enableSourceValidation: true,
      allowedSources: ['10.0.0.1'],
    };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<UdpSourceEvent>('-a-x-y-|', values);
      expectObservable(source.pipe(admitDatagrams(options, deps))).toBe('-a-----|', values);
    });
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({
      'too-large': 1,
      'source-not-allowed': 1,
    });
    expect(captured.warnings().find((r) => r.reason === 'too-large')).toMatchObject({
      detail: 'datagram of 11 bytes exceeds maxMessageSize 10',
    });
  });

  it.each([Infinity, NaN])('has no size limit when maxMessageSize is %d', (maxMessageSize) => {
    const huge = { h: datagram('h', '10.0.0.1', 70_000) };
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold<UdpSourceEvent>('-h|', huge).pipe(admitDatagrams({ maxMessageSize }, deps)),
      ).toBe('-h|', huge);
    });
  });

  it('admits at most maxMessagesPerMinute in a fixed window that starts with the first datagram', async () => {
    const options = { maxMessageSize: 10, rateLimit: { enable: true, maxMessagesPerMinute: 2 } };
    scheduler.run(({ cold, expectObservable }) => {
      // x is too large and does not count; the window opens at frame 2 and ends at 60002.
      const source = cold<UdpSourceEvent>('x-a-b-a-l 1m a-b-a-|', values);
      expectObservable(source.pipe(admitDatagrams(options, deps))).toBe(
        '--a-b---l 1m a-b---|',
        values,
      );
    });
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({
      'too-large': 1,
      'rate-limit': 2,
    });
  });

  it('does not limit the rate while the limit is disabled', () => {
    const options = { rateLimit: { enable: false, maxMessagesPerMinute: 1 } };
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold<UdpSourceEvent>('aaaa|', values).pipe(admitDatagrams(options, deps)),
      ).toBe('aaaa|', values);
    });
  });

  it('throws on a rate limit below 1', () => {
    expect(() =>
      admitDatagrams({ rateLimit: { enable: true, maxMessagesPerMinute: 0 } }, deps),
    ).toThrow(RangeError);
  });

  it('warns once a minute per reason with the count and the last sender', () => {
    const options = {
      enableSourceValidation: true,
      allowedSources: ['10.0.0.1'],
      maxMessageSize: 10,
    };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<UdpSourceEvent>('bxbyb 1m b|', values);
      expectObservable(source.pipe(admitDatagrams(options, deps))).toBe('----- 1m -|');
    });
    expect(captured.warnings().map((r) => [r.reason, r.dropped, r.sender])).toEqual([
      ['source-not-allowed', 1, '10.0.0.2:40000'],
      ['too-large', 1, '10.0.0.1:40000'],
      ['source-not-allowed', 4, '10.0.0.2:40000'],
    ]);
  });

  it('passes source errors through', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<UdpSourceEvent>('-a-#', values, new Error('bind failed'));
      expectObservable(source.pipe(admitDatagrams({}, deps))).toBe(
        '-a-#',
        values,
        new Error('bind failed'),
      );
    });
  });

  it('unsubscribes from the source when unsubscribed early', () => {
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<UdpSourceEvent>('-a-b-a-|', values);
      expectObservable(source.pipe(admitDatagrams({}, deps)), '^--!').toBe('-a--', values);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('stays silent on empty and never', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<UdpSourceEvent>('|').pipe(admitDatagrams({}, deps))).toBe('|');
      expectObservable((NEVER as Observable<UdpSourceEvent>).pipe(admitDatagrams({}, deps))).toBe(
        '',
      );
    });
  });

  it('propagates a throwing upstream step as an error', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<UdpSourceEvent>('-a-|', values).pipe(
        map((): UdpSourceEvent => {
          throw new Error('step failed');
        }),
      );
      expectObservable(source.pipe(admitDatagrams({}, deps))).toBe(
        '-#',
        undefined,
        new Error('step failed'),
      );
      expectObservable(throwError(() => new Error('x')).pipe(admitDatagrams({}, deps))).toBe(
        '#',
        undefined,
        new Error('x'),
      );
    });
  });
});

describe('admitDatagrams with host names in the allow-list', () => {
  const records = {
    'qs-node1': { v4: ['10.0.0.5'], v6: ['fd00::5'] },
    'qs-v4only': { v4: ['10.0.0.6'], v6: [] },
  };

  function fakeResolver(): HostResolver & { calls: string[] } {
    const calls: string[] = [];
    const lookup = (family: 'v4' | 'v6') => async (host: string) => {
      calls.push(`${family}:${host}`);
      const found = records[host as keyof typeof records]?.[family];
      if (!found || found.length === 0)
        throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found;
    };
    return { calls, resolve4: lookup('v4'), resolve6: lookup('v6') };
  }

  const senders = ['10.0.0.5', 'fd00::5', '::ffff:10.0.0.6', '10.0.0.7', '127.0.0.1'];
  const admittedIds = async (source: Observable<UdpSourceEvent>) =>
    (await firstValueFrom(source.pipe(toArray()))).map((event) => event.id);

  it('resolves A and AAAA records once, skipping names that do not resolve', async () => {
    const { log, records: logged } = captureLog();
    const resolver = fakeResolver();
    const metrics = new RelayMetrics();
    const options = {
      enableSourceValidation: true,
      allowedSources: ['qs-node1', 'qs-v4only', 'gone.example', '127.0.0.1'],
    };
    const admit = admitDatagrams(options, { log, metrics, resolver });
    const source = of(...senders.map((address, n) => datagram(String(n), address)));

    expect(await admittedIds(source.pipe(admit))).toEqual(['0', '1', '2', '4']);
    expect(await admittedIds(source.pipe(admit))).toEqual(['0', '1', '2', '4']);
    expect(resolver.calls.sort()).toEqual(
      [
        'v4:gone.example',
        'v4:qs-node1',
        'v4:qs-v4only',
        'v6:gone.example',
        'v6:qs-node1',
        'v6:qs-v4only',
      ].sort(),
    );
    expect(logged.filter((r) => r.event === 'udp.allowed-source-unresolved')).toEqual([
      expect.objectContaining({ entry: 'gone.example' }),
    ]);
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({ 'source-not-allowed': 2 });
  });

  it('switches validation off when no name resolves, even with a resolver that throws', async () => {
    const { log, records: logged } = captureLog();
    const resolver: HostResolver = {
      resolve4: () => {
        throw new Error('resolver broken');
      },
      resolve6: () => Promise.reject(new Error('no AAAA')),
    };
    const admit = admitDatagrams(
      { enableSourceValidation: true, allowedSources: ['qs-node1'] },
      { log, metrics: new RelayMetrics(), resolver },
    );
    const source = of(...senders.map((address, n) => datagram(String(n), address)));
    expect(await admittedIds(source.pipe(admit))).toEqual(['0', '1', '2', '3', '4']);
    expect(logged.map((r) => r.event)).toEqual([
      'udp.allowed-source-unresolved',
      'udp.source-validation-off',
    ]);
  });

  it('subscribes to the source only once the names are resolved', async () => {
    let finish: (addresses: string[]) => void = () => undefined;
    const resolver: HostResolver = {
      resolve4: () => new Promise((resolve) => (finish = resolve)),
      resolve6: () => Promise.resolve([]),
    };
    const source = new Subject<UdpSourceEvent>();
    const admitted: string[] = [];
    const admit = admitDatagrams(
      { enableSourceValidation: true, allowedSources: ['qs-node1'] },
      { log: captureLog().log, metrics: new RelayMetrics(), resolver },
    );
    const subscription = source.pipe(admit).subscribe((event) => admitted.push(event.id));
    await Promise.resolve();
    expect(source.observed).toBe(false);

    finish(['10.0.0.5']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.observed).toBe(true);
    source.next(datagram('in', '10.0.0.5'));
    source.next(datagram('out', '10.0.0.6'));
    expect(admitted).toEqual(['in']);
    subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });
});
