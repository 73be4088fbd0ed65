import { RelayMetrics } from '../../lib/metrics/relay-metrics.js';
import { QrsError } from '../../lib/qrs/qrs-error.js';
import { metricValue } from '../support/metrics.js';
import { useFakeQrs } from '../support/qrs-test-client.js';

const TASK_ID = '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10';
const FAST_RETRIES = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 };

/** Distinct ids the fake does not know: each lookup is its own request. */
const someIds = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('QrsClient when the Repository Service misbehaves', () => {
  let metrics: RelayMetrics;
  const qrs = useFakeQrs(() => ({ retries: FAST_RETRIES, metrics }));

  beforeEach(() => {
    metrics = new RelayMetrics();
  });

  const requestCount = (endpoint: string, outcome: string): Promise<number> =>
    metricValue(metrics, 'relay_qrs_requests_total', { endpoint, outcome });

  it('retries a 500 on GET, then fails with an http QrsError', async () => {
    qrs.fake.fail('/qrs/task/full', 500);
    const error = await qrs.client.getTaskFull(TASK_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QrsError);
    expect(error).toMatchObject({
      kind: 'http',
      status: 500,
      endpoint: '/qrs/task/full',
      attempts: 3,
    });
    expect(qrs.fake.requestsTo('/qrs/task/full')).toHaveLength(3);
    expect(await requestCount('/qrs/task/full', 'http')).toBe(3);
  });

  it('succeeds when a retry gets through', async () => {
    qrs.fake.fail('*', 503, 2);
    await expect(qrs.client.getLicense()).resolves.toMatchObject({ isExpired: false });
    expect(qrs.fake.requestsTo('/qrs/license')).toHaveLength(3);
    expect(await requestCount('/qrs/license', 'ok')).toBe(1);
  });

  it('does not retry a 4xx', async () => {
    qrs.fake.fail('/qrs/app/full', 403);
    await expect(qrs.client.getAppFull(TASK_ID)).rejects.toMatchObject({
      kind: 'http',
      status: 403,
    });
    expect(qrs.fake.requestsTo('/qrs/app/full')).toHaveLength(1);
  });

  it('fails with a timeout QrsError when answers come too late', async () => {
    qrs.connect({ timeoutMs: 50, retries: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 } });
    qrs.fake.delay(500);
    await expect(qrs.client.getTask(TASK_ID)).rejects.toMatchObject({
      kind: 'timeout',
      endpoint: '/qrs/task',
      attempts: 2,
    });
    expect(qrs.fake.requestsTo('/qrs/task')).toHaveLength(2);
  });

  it('fails with a network QrsError while connections are refused, and recovers after restore', async () => {
    await qrs.fake.refuseConnections();
    await expect(qrs.client.getTask(TASK_ID)).rejects.toMatchObject({
      kind: 'network',
      attempts: 3,
    });
    expect(await requestCount('/qrs/task', 'network')).toBe(3);
    await qrs.fake.restore();
    await expect(qrs.client.getTask(TASK_ID)).resolves.toMatchObject({ id: TASK_ID });
  });

  it('recovers on a kept-alive connection that the service dropped', async () => {
    await qrs.client.getTask(TASK_ID); // leaves a pooled socket
    await qrs.fake.refuseConnections();
    await qrs.fake.restore();
    await expect(qrs.client.getTask(TASK_ID)).resolves.toMatchObject({ id: TASK_ID });
  });

  it('never retries a POST: a failed start is reported once', async () => {
    qrs.fake.fail('/qrs/task/{id}/start', 503);
    const result = await qrs.client.startTask(TASK_ID);
    expect(result).toMatchObject({ started: false, status: 503 });
    expect(qrs.fake.requestsTo('/qrs/task/{id}/start')).toHaveLength(1);
    expect(qrs.fake.startedTasks).toEqual([]);
  });

  it('reports a start that could not reach the service, without a status', async () => {
    await qrs.fake.refuseConnections();
    const result = await qrs.client.startTask(TASK_ID);
    expect(result.started).toBe(false);
    expect(result).not.toHaveProperty('status');
    expect(result).toMatchObject({ reason: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('never has more than maxConcurrent requests on the wire', async () => {
    qrs.connect({ maxConcurrent: 3 });
    qrs.fake.delay(30);
    const results = await Promise.all(someIds(12).map((id) => qrs.client.getTask(id)));
    expect(results).toEqual(Array(12).fill(undefined));
    expect(qrs.fake.requestsTo('/qrs/task')).toHaveLength(12);
    expect(qrs.fake.maxConcurrentSeen).toBe(3);
  });

  it('refuses calls beyond its queue and the queued ones when closed', async () => {
    qrs.connect({ maxConcurrent: 1, maxQueued: 1 });
    qrs.fake.delay(100);
    const [first, second, third] = someIds(3).map((id) =>
      qrs.client.getTask(id).then(
        () => 'answered',
        (e: QrsError) => e.kind,
      ),
    );
    await expect(third).resolves.toBe('rejected');
    qrs.client.close();
    await expect(second).resolves.toBe('rejected');
    // The one on the wire is cut off, and its retry is refused like any call after close.
    await expect(first).resolves.toBe('rejected');
    expect(await requestCount('/qrs/task', 'rejected')).toBe(3);
  });
});
