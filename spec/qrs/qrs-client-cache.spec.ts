import { useFakeQrs } from '../support/qrs-test-client.js';

const TASK_ID = '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10';
const APP_ID = '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('QrsClient lookup cache', () => {
  const qrs = useFakeQrs(() => ({ retries: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 } }));

  it('answers a burst of 20 lookups for one task with one request', async () => {
    qrs.fake.delay(20);
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => qrs.client.getTaskFull(TASK_ID)),
    );
    expect(new Set(burst.map((t) => t?.id))).toEqual(new Set([TASK_ID]));
    await qrs.client.getTaskFull(TASK_ID.toUpperCase()); // GUIDs compare case-insensitively
    expect(qrs.fake.requestsTo('/qrs/task/full')).toHaveLength(1);
  });

  it('caches apps separately from tasks', async () => {
    await qrs.client.getAppFull(APP_ID);
    await qrs.client.getAppFull(APP_ID);
    await qrs.client.getTaskFull(TASK_ID);
    expect(qrs.fake.requestsTo('/qrs/app/full')).toHaveLength(1);
    expect(qrs.fake.requestsTo('/qrs/task/full')).toHaveLength(1);
  });

  it('does not keep "not found" or failures: the next lookup asks again', async () => {
    await qrs.client.getTaskFull(UNKNOWN_ID);
    await qrs.client.getTaskFull(UNKNOWN_ID);
    qrs.fake.fail('/qrs/app/full', 500, 1);
    await expect(qrs.client.getAppFull(APP_ID)).rejects.toMatchObject({ kind: 'http' });
    await expect(qrs.client.getAppFull(APP_ID)).resolves.toMatchObject({ id: APP_ID });
    expect(qrs.fake.requestsTo('/qrs/task/full')).toHaveLength(2);
    expect(qrs.fake.requestsTo('/qrs/app/full')).toHaveLength(2);
  });

  it('shares concurrent lookups even with the cache off, but keeps nothing', async () => {
    qrs.connect({ cacheTtlMs: 0 });
    qrs.fake.delay(20);
    await Promise.all([qrs.client.getTaskFull(TASK_ID), qrs.client.getTaskFull(TASK_ID)]);
    await qrs.client.getTaskFull(TASK_ID);
    expect(qrs.fake.requestsTo('/qrs/task/full')).toHaveLength(2);
  });
});
