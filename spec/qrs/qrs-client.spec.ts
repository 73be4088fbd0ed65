import { QrsClient } from '../../lib/qrs/qrs-client.js';
import { QrsError } from '../../lib/qrs/qrs-error.js';
import { FakeQrs, appFullFixture, licenseFixture, taskFullFixture } from '../support/fake-qrs.js';
import { useFakeQrs } from '../support/qrs-test-client.js';

const TASK_ID = '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10';
const APP_ID = '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** Polls `condition` every 10 ms for up to 2 s: server-side events may land after the client's. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('QrsClient against the fake Repository Service over HTTPS', () => {
  const qrs = useFakeQrs();

  it('gets a task by id with an encoded filter', async () => {
    const task = await qrs.client.getTask(TASK_ID);
    expect(task).toEqual({
      id: TASK_ID,
      operational: {
        id: '5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
        nextExecution: '2025-03-15T06:00:00.000Z',
        privileges: null,
      },
      name: 'Reload - Sales Dashboard',
      taskType: 0,
      enabled: true,
      privileges: null,
    });
    const [sent] = qrs.fake.requests;
    expect(sent?.method).toBe('GET');
    expect(sent?.url).toMatch(
      new RegExp(`^/qrs/task\\?filter=id%20eq%20${TASK_ID}&xrfkey=[A-Za-z0-9]{16}$`),
    );
  });

  it('gets the full task, the full app and the licence as the service stores them', async () => {
    await expect(qrs.client.getTaskFull(TASK_ID)).resolves.toEqual(taskFullFixture());
    await expect(qrs.client.getAppFull(APP_ID)).resolves.toEqual(appFullFixture());
    await expect(qrs.client.getLicense()).resolves.toEqual(licenseFixture());
    expect(qrs.fake.requests.map((r) => `${r.method} ${r.path} ${r.query.filter ?? ''}`)).toEqual([
      `GET /qrs/task/full id eq ${TASK_ID}`,
      `GET /qrs/app/full id eq ${APP_ID}`,
      'GET /qrs/license ',
    ]);
  });

  it('starts a task with POST {} and reports success on 204', async () => {
    await expect(qrs.client.startTask(TASK_ID)).resolves.toEqual({ started: true });
    expect(qrs.fake.startedTasks).toEqual([TASK_ID]);
    const [sent] = qrs.fake.requestsTo('/qrs/task/{id}/start');
    expect(sent?.path).toBe(`/qrs/task/${TASK_ID}/start`);
    expect(sent?.body).toBe('{}');
  });

  it('reports a start of an unknown task as not started, with the status', async () => {
    const result = await qrs.client.startTask(UNKNOWN_ID);
    expect(result).toMatchObject({ started: false, status: 404 });
    expect(qrs.fake.startedTasks).toEqual([]);
  });

  it('sends a fresh xrfkey on every call, equal in header and query', async () => {
    await qrs.client.getTask(TASK_ID);
    await qrs.client.getTaskFull(TASK_ID);
    await qrs.client.getAppFull(APP_ID);
    await qrs.client.getLicense();
    await qrs.client.startTask(TASK_ID);
    const keys = qrs.fake.requests.map((r) => {
      expect(r.headers['x-qlik-xrfkey']).toBe(r.query.xrfkey);
      return r.query.xrfkey;
    });
    expect(keys).toHaveLength(5);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(new Set(keys).size).toBe(5);
  });

  it('sends the static headers and Content-Type: application/json', async () => {
    qrs.connect({
      headers: [
        { name: 'X-Qlik-User', value: 'UserDirectory=Internal;UserId=sa_repository' },
        { name: 'X-Custom', value: 'yes' },
      ],
    });
    await qrs.client.getTask(TASK_ID);
    const headers = qrs.fake.requests[0]?.headers;
    expect(headers?.['x-qlik-user']).toBe('UserDirectory=Internal;UserId=sa_repository');
    expect(headers?.['x-custom']).toBe('yes');
    expect(headers?.['content-type']).toBe('application/json');
  });

  it('resolves undefined when nothing matches ([] from the service)', async () => {
    await expect(qrs.client.getTask(UNKNOWN_ID)).resolves.toBeUndefined();
    await expect(qrs.client.getTaskFull(UNKNOWN_ID)).resolves.toBeUndefined();
    await expect(qrs.client.getAppFull(UNKNOWN_ID)).resolves.toBeUndefined();
    expect(qrs.fake.requests).toHaveLength(3);
  });

  it('resolves undefined on 404 without retrying', async () => {
    qrs.fake.fail('/qrs/task/full', 404);
    try {
      await expect(qrs.client.getTaskFull(TASK_ID)).resolves.toBeUndefined();
      expect(qrs.fake.requestsTo('/qrs/task/full')).toHaveLength(1);
    } finally {
      await qrs.fake.restore();
    }
  });

  it('never sends an id that is not a GUID into a filter', async () => {
    await expect(qrs.client.getTask('x or name eq y')).resolves.toBeUndefined();
    await expect(qrs.client.getTaskFull('')).resolves.toBeUndefined();
    await expect(qrs.client.startTask('../license')).resolves.toMatchObject({ started: false });
    expect(qrs.fake.requests).toHaveLength(0);
  });

  it('fails with a QrsError naming the request when the fake rejects the user header', async () => {
    qrs.connect({ headers: [] });
    const error = await qrs.client.getTask(TASK_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QrsError);
    expect(error).toMatchObject({ kind: 'http', status: 401, endpoint: '/qrs/task' });
    expect((error as QrsError).request).toBe(`GET /qrs/task?filter=id%20eq%20${TASK_ID}`);
    expect((error as QrsError).message).not.toMatch(/xrfkey/);
    expect(qrs.fake.requests).toHaveLength(1); // a 4xx is not retried
  });

  it('is refused without a client certificate', async () => {
    // Server verification off, so that only the missing client certificate can fail the handshake.
    qrs.connect({
      certFiles: undefined,
      rejectUnauthorized: false,
      retries: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await qrs.client.getTask(TASK_ID).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network' });
    expect((error as Error).message).toMatch(/certificate required/);
    expect(qrs.fake.requests).toHaveLength(0);
    await until(() => qrs.fake.tlsRejections > 0);
  });

  it('is refused with a client certificate from an untrusted CA', async () => {
    qrs.connect({
      certFiles: { cert: qrs.certs.strangerCert, key: qrs.certs.strangerKey, ca: qrs.certs.ca },
      retries: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(qrs.client.getTask(TASK_ID)).rejects.toMatchObject({ kind: 'network' });
    expect(qrs.fake.requests).toHaveLength(0);
    await until(() => qrs.fake.tlsRejections > 0);
  });

  it('names the missing certificate file at construction', () => {
    const missing = `${qrs.certs.dir}/nope.pem`;
    expect(() =>
      qrs.connect({ certFiles: { cert: missing, key: qrs.certs.clientKey, ca: qrs.certs.ca } }),
    ).toThrow(
      new RegExp(`client certificate: cannot read ${missing.replace(/[.]/g, '\\.')} \\(ENOENT\\)`),
    );
  });
});

describe('QrsClient over plain HTTP', () => {
  it('works when useSSL is false', async () => {
    const fake = await FakeQrs.start({ tls: false });
    const client = new QrsClient(fake.clientOptions());
    try {
      expect(fake.clientOptions().useSSL).toBe(false);
      await expect(client.getTaskFull(TASK_ID)).resolves.toMatchObject({ id: TASK_ID });
      await expect(client.startTask(TASK_ID)).resolves.toEqual({ started: true });
      expect(fake.requests[0]?.query.xrfkey).toHaveLength(16);
    } finally {
      client.close();
      await fake.close();
    }
  });
});
