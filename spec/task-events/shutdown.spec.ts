import { readDatagrams } from '../support/datagram-fixtures.js';
import { seedSite, siteFullPayload } from '../support/sense-site.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';

const [FAILED = ''] = readDatagrams('task-failed');

describe('shutting down with a task event in flight', () => {
  const suite = useTaskEventsEnvironment({ seed: seedSite });

  it('finishes the lookup and hands the alert to the broker before it exits', async () => {
    const relay = await suite.start();
    suite.env.qrs.delay(1000);
    await relay.send(FAILED);
    await waitUntil(() => suite.env.qrs.requests.length >= 2, 'the lookups to start');

    expect(await relay.stop()).toBe(0);
    // The broker acknowledged both before the relay exited; it forwards them in its own time.
    const [basic] = await suite.env.subscriber.waitFor(TOPICS.failed, 1);
    const [full] = await suite.env.subscriber.waitFor(TOPICS.failedFull, 1);
    expect(basic?.payload).toBe('Reload - Sales Dashboard');
    expect(full?.payload).toBe(siteFullPayload('failed', FAILED));
    await suite.env.subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'stop');
  });
});
