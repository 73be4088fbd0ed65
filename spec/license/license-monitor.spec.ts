import { jest } from '@jest/globals';
import { loadConfig, type RelayConfig } from '../../lib/config/index.js';
import type { OutboundMessage } from '../../lib/events.js';
import type { MessageSink } from '../../lib/pipeline/pipeline.js';
import { runPipeline, type RunningPipeline } from '../../lib/pipeline/run-pipeline.js';
import { QrsClient } from '../../lib/qrs/qrs-client.js';
import { licenseMonitorPipeline } from '../../pipelines/license-monitor.js';
import { FakeQrs, licenseFixture } from '../support/fake-qrs.js';
import { captureLog, type LogCapture } from '../support/log-capture.js';
import { testContext, type TestContext } from '../support/pipeline-context.js';
import { waitUntil } from '../support/wait-until.js';

const STATUS = 'qliksense/qliksense_server_license';
const EXPIRE = 'qliksense/qliksense_server_license_expire';
/** The clock of these tests: days left are exact (see license-status.spec.ts). */
const NOW = new Date('2025-03-14T12:00:00Z');

const details = (validTo: string) =>
  `Product: Qlik Sense Enterprise\nValid From: 2024-01-01\nValid To: ${validTo}\nAnalyzer users: 500`;

function monitorConfig(overrides: Record<string, unknown> = {}): RelayConfig {
  return loadConfig({
    env: {},
    overrides: {
      'Butler.qlikSenseLicense.serverLicenseMonitor.enable': true,
      'Butler.qlikSenseLicense.serverLicenseMonitor.frequency': 'every 1 second',
      'Butler.qlikSenseLicense.serverLicenseMonitor.destination.mqtt.enable': true,
      ...overrides,
    },
  }).config;
}

/** The licence monitor pipeline against the fake Repository Service, through the real client. */
class LicenseHarness {
  readonly messages: OutboundMessage[] = [];
  readonly logs: LogCapture = captureLog();
  readonly test: TestContext;
  private readonly running: RunningPipeline;

  constructor(
    readonly qrs: FakeQrs,
    config: RelayConfig,
  ) {
    const client = new QrsClient({
      ...qrs.clientOptions(),
      retries: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
    });
    this.test = testContext({ config, repository: client });
    const sink: MessageSink = {
      publish: (message) => {
        this.messages.push(message);
        return Promise.resolve({ status: 'delivered', latencyMs: 0 });
      },
    };
    this.running = runPipeline(
      licenseMonitorPipeline(config),
      { ...this.test.context, log: this.logs.log },
      sink,
    );
    this.close = async () => {
      this.test.stopping.next();
      await this.running.finished;
      client.close();
    };
  }

  readonly close: () => Promise<void>;

  /** The messages of the first check (the one at start-up). */
  async firstCheck(count: number): Promise<[string, string][]> {
    await waitUntil(() => this.messages.length >= count, `${count} licence message(s)`);
    return this.messages.slice(0, count).map((m) => [m.topic, String(m.payload)]);
  }

  async checksDone(count: number): Promise<void> {
    await waitUntil(
      () => this.qrs.requestsTo('/qrs/license').length >= count,
      `${count} licence request(s)`,
    );
  }
}

describe('the licence monitor pipeline (facts 7.3)', () => {
  let qrs: FakeQrs;
  let monitor: LicenseHarness | undefined;
  beforeAll(async () => {
    qrs = await FakeQrs.start({ tls: false });
  });
  beforeEach(() => {
    // Only the date is fake (and keeps moving); timers and sockets are real.
    jest.useFakeTimers({
      now: NOW,
      advanceTimers: true,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    qrs.clearRecords();
  });
  afterEach(async () => {
    await monitor?.close();
    monitor = undefined;
    await qrs.restore();
    qrs.setLicense(licenseFixture());
    jest.useRealTimers();
  });
  afterAll(async () => {
    await qrs.close();
  });

  const start = (keyDetails: string, isExpired = false, overrides = {}) => {
    qrs.setLicense({ ...licenseFixture(), isExpired, keyDetails });
    monitor = new LicenseHarness(qrs, monitorConfig(overrides));
    return monitor;
  };

  it('far future: the status JSON only, at start-up', async () => {
    const m = start(details('2099-12-31'));
    expect(await m.firstCheck(1)).toEqual([
      [STATUS, '{"licenseExpired":false,"expiryDateStr":"2099-12-31","daysUntilExpiry":27320}'],
    ]);
    await m.checksDone(2); // a second check ran and said the same: still no alert
    await waitUntil(() => m.messages.length >= 2, 'the second status');
    expect(m.messages.map((x) => x.topic)).not.toContain(EXPIRE);
  });

  it('within the threshold: the status, then the about-to-expire sentence', async () => {
    const m = start(details('2025-04-28'));
    expect(await m.firstCheck(2)).toEqual([
      [STATUS, '{"licenseExpired":false,"expiryDateStr":"2025-04-28","daysUntilExpiry":45}'],
      [EXPIRE, 'Qlik Sense server license is about to expire in 45 days, on 2025-04-28'],
    ]);
  });

  it('exactly thresholdDays left still alerts (<=)', async () => {
    const m = start(details('2025-05-13'));
    expect((await m.firstCheck(2))[1]).toEqual([
      EXPIRE,
      'Qlik Sense server license is about to expire in 60 days, on 2025-05-13',
    ]);
  });

  it('expired: negative days and the expired sentence', async () => {
    const m = start(details('2024-12-31'), true);
    expect(await m.firstCheck(2)).toEqual([
      [STATUS, '{"licenseExpired":true,"expiryDateStr":"2024-12-31","daysUntilExpiry":-74}'],
      [EXPIRE, 'Qlik Sense server license expired on 2024-12-31'],
    ]);
  });

  it('a date that has passed is reported expired even before the Repository Service flags it', async () => {
    const m = start(details('2024-12-31'), false);
    expect(await m.firstCheck(2)).toEqual([
      [STATUS, '{"licenseExpired":false,"expiryDateStr":"2024-12-31","daysUntilExpiry":-74}'],
      [EXPIRE, 'Qlik Sense server license expired on 2024-12-31'],
    ]);
  });

  it('a date with a time part: kept whole, days counted, alert sent (Butler: null days, no alert)', async () => {
    const m = start(details('2025-04-28T00:00:00Z'));
    expect(await m.firstCheck(2)).toEqual([
      [
        STATUS,
        '{"licenseExpired":false,"expiryDateStr":"2025-04-28T00:00:00Z","daysUntilExpiry":45}',
      ],
      [EXPIRE, 'Qlik Sense server license is about to expire in 45 days, on 2025-04-28T00:00:00Z'],
    ]);
  });

  it('no Valid To: line: nulls in the status, no "null days" alert, a warning', async () => {
    const m = start('Product: Qlik Sense Enterprise\nValid From: 2024-01-01');
    await m.checksDone(2);
    await waitUntil(() => m.messages.length >= 2, 'two status messages');
    expect(m.messages.map((x) => [x.topic, x.payload])).toEqual([
      [STATUS, '{"licenseExpired":false,"expiryDateStr":null,"daysUntilExpiry":null}'],
      [STATUS, '{"licenseExpired":false,"expiryDateStr":null,"daysUntilExpiry":null}'],
    ]);
    expect(m.logs.events('license-monitor.no-expiry-date').length).toBeGreaterThan(0);
  });

  it('honours sendRecurring and sendAlert (Butler ignores them)', async () => {
    const key = 'Butler.qlikSenseLicense.serverLicenseMonitor.destination.mqtt';
    let m = start(details('2025-04-28'), false, { [`${key}.sendRecurring.enable`]: false });
    expect(await m.firstCheck(1)).toEqual([
      [EXPIRE, 'Qlik Sense server license is about to expire in 45 days, on 2025-04-28'],
    ]);
    await m.close();
    monitor = undefined;
    qrs.clearRecords();

    m = start(details('2025-04-28'), false, { [`${key}.sendAlert.enable`]: false });
    await m.checksDone(2);
    await waitUntil(() => m.messages.length >= 2, 'two status messages');
    expect(m.messages.every((x) => x.topic === STATUS)).toBe(true);
  });

  it('a Repository Service outage is logged and counted, and the next check asks again', async () => {
    qrs.fail('/qrs/license', 503);
    const m = start(details('2025-04-28'));
    await waitUntil(
      () => m.logs.events('license-monitor.check-failed').length > 0,
      'the failed check to be logged',
    );
    expect(m.messages).toEqual([]);
    const failed = await m.test.metrics.registry
      .getSingleMetric('relay_license_checks_total')
      ?.get();
    expect(failed?.values.find((v) => v.labels.outcome === 'failed')?.value).toBeGreaterThan(0);

    await qrs.restore();
    expect(await m.firstCheck(2)).toEqual([
      [STATUS, '{"licenseExpired":false,"expiryDateStr":"2025-04-28","daysUntilExpiry":45}'],
      [EXPIRE, 'Qlik Sense server license is about to expire in 45 days, on 2025-04-28'],
    ]);
    const days = await m.test.metrics.registry
      .getSingleMetric('relay_license_days_until_expiry')
      ?.get();
    expect(days?.values[0]?.value).toBe(45);
  });

  it('refuses a schedule it cannot follow, naming the key', () => {
    expect(() =>
      licenseMonitorPipeline(
        monitorConfig({
          'Butler.qlikSenseLicense.serverLicenseMonitor.frequency': 'at 6:00 am',
        }),
      ),
    ).toThrow('Butler.qlikSenseLicense.serverLicenseMonitor.frequency: got "at 6:00 am"');
  });
});
