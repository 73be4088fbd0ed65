import { firstValueFrom, from, lastValueFrom, of, toArray } from 'rxjs';
import { enrichTask } from '../../lib/operators/enrich-task.js';
import { QrsClient, type QrsClientOptions } from '../../lib/qrs/qrs-client.js';
import type { EnrichedTaskEvent } from '../../lib/qrs/enriched-task-event.js';
import { FakeQrs, appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { createQrsCertificates, type QrsCertificates } from '../support/qrs-certs.js';
import { DATAGRAMS, failedEvent } from './task-event-fixtures.js';

/** enrichTask with the real client against the fake Repository Service over HTTPS. */
describe('enrichTask with QrsClient', () => {
  let certs: QrsCertificates;
  let fake: FakeQrs;
  let client: QrsClient;
  const event = failedEvent(DATAGRAMS.failed, 'e1');

  const connect = (overrides: Partial<QrsClientOptions> = {}): QrsClient =>
    new QrsClient({
      ...fake.clientOptions(),
      timeoutMs: 200,
      retries: { attempts: 2, initialDelayMs: 5, maxDelayMs: 10 },
      ...overrides,
    });
  const enrichOne = (): Promise<EnrichedTaskEvent> =>
    firstValueFrom(of(event).pipe(enrichTask(client)));

  beforeAll(async () => {
    certs = createQrsCertificates();
    fake = await FakeQrs.start({ certificates: certs });
  });
  afterAll(async () => {
    await fake.close();
    certs.remove();
  });
  beforeEach(() => {
    fake.clearRecords();
    client = connect();
  });
  afterEach(async () => {
    client.close();
    await fake.restore();
  });

  it('adds the objects the service holds', async () => {
    const { data } = await enrichOne();
    expect(data.enrichment).toEqual({ status: 'complete' });
    expect(data.task).toEqual(taskFullFixture());
    expect(data.app).toEqual(appFullFixture());
    expect(data.taskType).toBe(0);
  });

  it('keeps the event when the service answers 500', async () => {
    fake.fail('/qrs/task/full', 500);
    const { data } = await enrichOne();
    expect(data.enrichment).toMatchObject({ status: 'failed', step: 'task' });
    expect(data.enrichment).toMatchObject({ reason: expect.stringContaining('HTTP 500') });
    expect(data.app).toEqual(appFullFixture());
    expect(data.taskName).toBe('Reload - Sales Dashboard');
  });

  it('keeps the event when the service is down', async () => {
    await fake.refuseConnections();
    const { data } = await enrichOne();
    expect(data.enrichment).toMatchObject({
      status: 'failed',
      step: 'task',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
    expect(data.task).toBeUndefined();
    expect(data.app).toBeUndefined();
  });

  it('keeps the event when the service is too slow', async () => {
    fake.delay(1_000);
    const { data } = await enrichOne();
    expect(data.enrichment).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('timed out'),
    });
  });

  it('costs one lookup of each kind for a burst of 20 events of one task', async () => {
    fake.delay(20);
    const events = Array.from({ length: 20 }, (_, i) => failedEvent(DATAGRAMS.failed, `e${i}`));
    const out = await lastValueFrom(from(events).pipe(enrichTask(client), toArray()));
    expect(out.map((e) => e.id)).toEqual(events.map((e) => e.id)); // same task: order kept
    expect(out.every((e) => e.data.enrichment.status === 'complete')).toBe(true);
    expect(fake.requestsTo('/qrs/task/full')).toHaveLength(1);
    expect(fake.requestsTo('/qrs/app/full')).toHaveLength(1);
  });
});
