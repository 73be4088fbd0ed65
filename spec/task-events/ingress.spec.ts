import { readDatagrams } from '../support/datagram-fixtures.js';
import { metricValue, waitForMetric } from '../support/relay-metrics-scrape.js';
import { seedSite } from '../support/sense-site.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import { sendDatagram } from '../support/udp-sender.js';

const [SALES = '', FINANCE = '', HR = ''] = readDatagrams('task-failed');
const notAllowed = { component: 'udp:tasks', reason: 'source-not-allowed' };

describe('who may send, and how much', () => {
  const suite = useTaskEventsEnvironment({ seed: seedSite });

  it('on "::" knows an allowed IPv4 sender in its IPv4-mapped form, and refuses the others', async () => {
    const relay = await suite.start({
      udpServerConfig: {
        serverHost: '::',
        enableSourceValidation: true,
        allowedSources: ['127.0.0.1'],
      },
    });
    // The dual-stack socket sees this sender as ::ffff:127.0.0.1.
    await sendDatagram(relay.udpPort, SALES, '127.0.0.1');
    await sendDatagram(relay.udpPort, FINANCE, '::1');
    await waitForMetric(relay.httpPort, 'relay_dropped_total', notAllowed, (v) => v === 1);
    await suite.env.subscriber.waitFor(TOPICS.failed, 1);
    expect(suite.env.subscriber.payloads(TOPICS.failed)).toEqual(['Reload - Sales Dashboard']);
    const [warning] = relay.process.records('udp.dropped');
    expect(warning).toMatchObject({
      reason: 'source-not-allowed',
      detail: '::1 is not an allowed source',
    });
  });

  it('listens on an IPv6 address with an IPv6 allow-list', async () => {
    const relay = await suite.start({
      udpServerConfig: {
        serverHost: '::1',
        enableSourceValidation: true,
        allowedSources: ['::1'],
      },
    });
    await sendDatagram(relay.udpPort, HR, '::1');
    const [basic] = await suite.env.subscriber.waitFor(TOPICS.failed, 1);
    expect(basic?.payload).toBe('Reload - HR Headcount');
  });

  it('drops what exceeds the rate limit, counted, and takes the rest', async () => {
    const relay = await suite.start({
      udpServerConfig: { rateLimit: { enable: true, maxMessagesPerMinute: 2 } },
    });
    await relay.send(SALES, FINANCE, HR);
    const metrics = await waitForMetric(
      relay.httpPort,
      'relay_dropped_total',
      { reason: 'rate-limit' },
      (v) => v === 1,
    );
    await suite.env.subscriber.waitFor(TOPICS.failedFull, 2);
    expect([...suite.env.subscriber.payloads(TOPICS.failed)].sort()).toEqual([
      'Nightly finance load',
      'Reload - Sales Dashboard',
    ]);
    expect(metricValue(metrics, 'relay_dropped_total')).toBe(1);
  });
});
