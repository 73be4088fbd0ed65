import { QrsClient, type QrsClientOptions } from '../../lib/qrs/qrs-client.js';
import { FakeQrs } from '../support/fake-qrs.js';
import { createQrsCertificates, type QrsCertificates } from '../support/qrs-certs.js';

const TASK_ID = '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10';
const APP_ID = '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('QrsClient lookup cache', () => {
  let certs: QrsCertificates;
  let fake: FakeQrs;
  let client: QrsClient;

  const connect = (overrides: Partial<QrsClientOptions> = {}): QrsClient =>
    new QrsClient({
      ...fake.clientOptions(),
      retries: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      ...overrides,
    });

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

  it('answers a burst of 20 lookups for one task with one request', async () => {
    fake.delay(20);
    const burst = await Promise.all(Array.from({ length: 20 }, () => client.getTaskFull(TASK_ID)));
    expect(new Set(burst.map((t) => t?.id))).toEqual(new Set([TASK_ID]));
    await client.getTaskFull(TASK_ID.toUpperCase()); // GUIDs compare case-insensitively
    expect(fake.requestsTo('/qrs/task/full')).toHaveLength(1);
  });

  it('caches apps separately from tasks', async () => {
    await client.getAppFull(APP_ID);
    await client.getAppFull(APP_ID);
    await client.getTaskFull(TASK_ID);
    expect(fake.requestsTo('/qrs/app/full')).toHaveLength(1);
    expect(fake.requestsTo('/qrs/task/full')).toHaveLength(1);
  });

  it('does not keep "not found" or failures: the next lookup asks again', async () => {
    await client.getTaskFull(UNKNOWN_ID);
    await client.getTaskFull(UNKNOWN_ID);
    fake.fail('/qrs/app/full', 500, 1);
    await expect(client.getAppFull(APP_ID)).rejects.toMatchObject({ kind: 'http' });
    await expect(client.getAppFull(APP_ID)).resolves.toMatchObject({ id: APP_ID });
    expect(fake.requestsTo('/qrs/task/full')).toHaveLength(2);
    expect(fake.requestsTo('/qrs/app/full')).toHaveLength(2);
  });

  it('shares concurrent lookups even with the cache off, but keeps nothing', async () => {
    client.close();
    client = connect({ cacheTtlMs: 0 });
    fake.delay(20);
    await Promise.all([client.getTaskFull(TASK_ID), client.getTaskFull(TASK_ID)]);
    await client.getTaskFull(TASK_ID);
    expect(fake.requestsTo('/qrs/task/full')).toHaveLength(2);
  });
});
