import { firstValueFrom, from, lastValueFrom, of, toArray } from 'rxjs';
import { enrichTask } from '../../lib/operators/enrich-task.js';
import type { EnrichedTaskEvent } from '../../lib/qrs/enriched-task-event.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { useFakeQrs } from '../support/qrs-test-client.js';
import { DATAGRAMS, failedEvent } from '../support/task-event-fixtures.js';

/** enrichTask with the real client against the fake Repository Service over HTTPS. */
describe('enrichTask with QrsClient', () => {
  const qrs = useFakeQrs(() => ({
    timeoutMs: 200,
    retries: { attempts: 2, initialDelayMs: 5, maxDelayMs: 10 },
  }));
  const event = failedEvent(DATAGRAMS.failed, 'e1');
  const enrichOne = (): Promise<EnrichedTaskEvent> =>
    firstValueFrom(of(event).pipe(enrichTask(qrs.client)));

  it('adds the objects the service holds', async () => {
    const { data } = await enrichOne();
    expect(data.enrichment).toEqual({ status: 'complete' });
    expect(data.task).toEqual(taskFullFixture());
    expect(data.app).toEqual(appFullFixture());
    expect(data.taskType).toBe(0);
  });

  it('keeps the event when the service answers 500', async () => {
    qrs.fake.fail('/qrs/task/full', 500);
    const { data } = await enrichOne();
    expect(data.enrichment).toMatchObject({ status: 'failed', step: 'task' });
    expect(data.enrichment).toMatchObject({ reason: expect.stringContaining('HTTP 500') });
    expect(data.app).toEqual(appFullFixture());
    expect(data.taskName).toBe('Reload - Sales Dashboard');
  });

  it('keeps the event when the service is down', async () => {
    await qrs.fake.refuseConnections();
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
    qrs.fake.delay(1_000);
    const { data } = await enrichOne();
    expect(data.enrichment).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('timed out'),
    });
  });

  it('costs one lookup of each kind for a burst of 20 events of one task', async () => {
    qrs.fake.delay(20);
    const events = Array.from({ length: 20 }, (_, i) => failedEvent(DATAGRAMS.failed, `e${i}`));
    const out = await lastValueFrom(from(events).pipe(enrichTask(qrs.client), toArray()));
    expect(out.map((e) => e.id)).toEqual(events.map((e) => e.id)); // same task: order kept
    expect(out.every((e) => e.data.enrichment.status === 'complete')).toBe(true);
    expect(qrs.fake.requestsTo('/qrs/task/full')).toHaveLength(1);
    expect(qrs.fake.requestsTo('/qrs/app/full')).toHaveLength(1);
  });
});
