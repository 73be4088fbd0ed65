import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const BENCH_TASK_ID = '5b1d7a4e-9c3f-4e2a-8d6b-1f0e2c3a4b5c';
export const BENCH_APP_ID = 'a7c3e1f9-2b4d-4f6a-9e8c-0d1b2a3c4e5f';

const tag = (name: string) => ({ id: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', name });
const customProperty = (name: string, value: string) => ({
  id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  value,
  definition: { id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', name, valueType: 'Text' },
});

/** A reload task (type 0) and its app, shaped as `/qrs/task/full` and `/qrs/app/full` answer. */
const ANSWERS: Readonly<Record<string, string>> = {
  '/qrs/task/full': JSON.stringify([
    {
      id: BENCH_TASK_ID,
      name: 'Bench reload',
      taskType: 0,
      enabled: true,
      tags: [tag('bench')],
      customProperties: [customProperty('Butler_FailedTaskAlertEmail', 'Send alert')],
    },
  ]),
  '/qrs/app/full': JSON.stringify([
    {
      id: BENCH_APP_ID,
      name: 'Bench app',
      published: true,
      tags: [tag('bench')],
      customProperties: [customProperty('Department', 'Operations')],
    },
  ]),
};

/**
 * A stand-in for the Repository Service over plain HTTP that answers every task and app lookup
 * with the same objects, so the relay's metadata cache is warm after the first event.
 */
export class FakeRepository {
  requests = 0;
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      this.requests += 1;
      const path = new URL(req.url ?? '/', 'http://fake').pathname.toLowerCase();
      const body = ANSWERS[path];
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
    });
  }

  static async start(): Promise<FakeRepository> {
    const fake = new FakeRepository();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
