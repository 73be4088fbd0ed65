import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { loadConfig, type RelayConfig } from '../../lib/config/index.js';
import type { OutboundMessage } from '../../lib/events.js';
import type { MessageSink } from '../../lib/pipeline/pipeline.js';
import { runPipeline, type RunningPipeline } from '../../lib/pipeline/run-pipeline.js';
import { windowsScProbe } from '../../lib/sources/services/probes/windows-sc.js';
import type { CommandResult, RunCommand } from '../../lib/sources/services/run-command.js';
import { serviceMonitorPipeline } from '../../pipelines/service-monitor.js';
import { captureLog, type LogCapture } from '../support/log-capture.js';
import { testContext, type TestContext } from '../support/pipeline-context.js';

const HOST = 'qs-node1.corp.example.com';
const ENGINE = 'QlikSenseEngineService';
const PERIOD_MS = 30_000;
const ENGINE_EXE = '"C:\\Program Files\\Qlik\\Sense\\Engine\\Engine.exe" -S ServiceMode=1';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/sc/${name}`, import.meta.url), 'utf8');

/** What the fake sc.exe answers for a service's `query`; `qc` always answers qc-engine.txt. */
type Answer = 'running' | 'stopped' | 'start-pending' | 'paused' | 'unreachable' | 'hang';

/**
 * The service monitor pipeline on fake timers, reading services with the windows-sc probe whose
 * sc.exe answers come from the fixtures of spec/fixtures/sc.
 */
class MonitorHarness {
  readonly messages: OutboundMessage[] = [];
  readonly answers = new Map<string, Answer>();
  readonly calls: { args: readonly string[]; signal: AbortSignal }[] = [];
  readonly logs: LogCapture = captureLog();
  readonly test: TestContext;
  /** Set to make each sc.exe call take this long. */
  delayMs = 0;
  private running: RunningPipeline | undefined;
  private inFlight = 0;
  maxInFlightPerService = 0;

  constructor(readonly config: RelayConfig) {
    this.test = testContext({ config });
  }

  start(): this {
    const pipeline = serviceMonitorPipeline(this.config, {
      probes: () => windowsScProbe({ run: this.run }),
    });
    const sink: MessageSink = {
      publish: (message) => {
        this.messages.push(message);
        return Promise.resolve({ status: 'delivered', latencyMs: 0 });
      },
    };
    this.running = runPipeline(pipeline, { ...this.test.context, log: this.logs.log }, sink);
    return this;
  }

  /** Lets `ms` of fake time pass, running every timer and promise due in it. */
  async advance(ms: number): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
  }

  /** Messages published since the last call, as [topic, parsed payload]. */
  take(): [string, Record<string, unknown>][] {
    const taken = this.messages.splice(0);
    return taken.map((m) => [m.topic, JSON.parse(String(m.payload)) as Record<string, unknown>]);
  }

  async stop(): Promise<void> {
    this.test.stopping.next();
    await jest.advanceTimersByTimeAsync(60_000);
    this.running?.stop();
  }

  private readonly run: RunCommand = (_file, args, signal) => {
    const [, verb, name = ''] = args;
    this.calls.push({ args, signal });
    if (name === 'state=') {
      return Promise.resolve({ stdout: fixture('query-all.txt'), stderr: '', exitCode: 0 });
    }
    const answer = this.answers.get(name);
    if (answer === 'hang') return new Promise<CommandResult>(() => undefined);
    const stdout =
      answer === undefined
        ? fixture(`${verb}-not-found.txt`)
        : answer === 'unreachable'
          ? fixture('query-rpc-unavailable.txt')
          : fixture(verb === 'qc' ? 'qc-engine.txt' : `query-${answer}.txt`);
    const exitCode = answer === undefined ? 1060 : answer === 'unreachable' ? 1722 : 0;
    const result: CommandResult = { stdout, stderr: '', exitCode };
    if (this.delayMs === 0) return Promise.resolve(result);
    this.inFlight += 1;
    this.maxInFlightPerService = Math.max(this.maxInFlightPerService, this.inFlight);
    return new Promise((resolve) =>
      setTimeout(() => {
        this.inFlight -= 1;
        resolve(result);
      }, this.delayMs),
    );
  };
}

function monitorConfig(overrides: Record<string, unknown> = {}): RelayConfig {
  return loadConfig({
    env: {},
    overrides: {
      'Butler.serviceMonitor.enable': true,
      'Butler.serviceMonitor.frequency': 'every 30 seconds',
      'Butler.serviceMonitor.monitor': [
        { host: HOST, services: [{ name: ENGINE, friendlyName: 'Engine' }] },
      ],
      'Relay.serviceMonitor.probe': 'windows-sc',
      ...overrides,
    },
  }).config;
}

const STATUS = `qliksense/service_status/${HOST}/${ENGINE}`;
const RUNNING = `qliksense/service_running/${HOST}/${ENGINE}`;
const STOPPED = `qliksense/service_stopped/${HOST}/${ENGINE}`;

/** The keys every message carries for the engine fixture (qc-engine.txt). */
const ENGINE_DETAILS = {
  serviceHost: HOST,
  serviceName: ENGINE,
  serviceDisplayName: 'Qlik Sense Engine Service',
  serviceFriendlyName: 'Engine',
  serviceDependencies: ['QlikSenseServiceDispatcher', 'RPCSS'],
  serviceStartType: 'Automatic',
  serviceExePath: ENGINE_EXE,
};

describe('the service monitor pipeline (facts 6.4)', () => {
  let monitor: MonitorHarness;
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  });
  afterEach(async () => {
    await monitor.stop();
    jest.useRealTimers();
  });

  it('first check, service RUNNING: the status message only', async () => {
    monitor = new MonitorHarness(monitorConfig());
    monitor.answers.set(ENGINE, 'running');
    monitor.start();
    await monitor.advance(0);
    expect(monitor.take()).toEqual([
      [STATUS, { ...ENGINE_DETAILS, serviceStatus: 'RUNNING', relay_serviceState: 'RUNNING' }],
    ]);
  });

  it('first check, service STOPPED: a stopped message from PAUSED, then the status message', async () => {
    monitor = new MonitorHarness(monitorConfig());
    monitor.answers.set(ENGINE, 'stopped');
    monitor.start();
    await monitor.advance(0);
    expect(monitor.take()).toEqual([
      [
        STOPPED,
        {
          ...ENGINE_DETAILS,
          serviceStatus: 'STOPPED',
          servicePrevStatus: 'PAUSED',
          serviceStatusChanged: true,
          relay_serviceState: 'STOPPED',
        },
      ],
      [STATUS, { ...ENGINE_DETAILS, serviceStatus: 'STOPPED', relay_serviceState: 'STOPPED' }],
    ]);
  });

  it('later checks: RUNNING → STOPPED, no change, STOPPED → RUNNING, no change', async () => {
    monitor = new MonitorHarness(monitorConfig());
    monitor.answers.set(ENGINE, 'running');
    monitor.start();
    await monitor.advance(0);
    monitor.take();

    monitor.answers.set(ENGINE, 'stopped');
    await monitor.advance(PERIOD_MS);
    expect(
      monitor.take().map(([topic, p]) => [topic, p.serviceStatus, p.servicePrevStatus]),
    ).toEqual([
      [STOPPED, 'STOPPED', 'RUNNING'],
      [STATUS, 'STOPPED', undefined],
    ]);

    await monitor.advance(PERIOD_MS);
    expect(monitor.take().map(([topic, p]) => [topic, p.serviceStatus])).toEqual([
      [STATUS, 'STOPPED'],
    ]);

    monitor.answers.set(ENGINE, 'running');
    await monitor.advance(PERIOD_MS);
    expect(monitor.take()).toEqual([
      [
        RUNNING,
        {
          ...ENGINE_DETAILS,
          serviceStatus: 'RUNNING',
          servicePrevStatus: 'STOPPED',
          serviceStatusChanged: true,
          relay_serviceState: 'RUNNING',
        },
      ],
      [STATUS, { ...ENGINE_DETAILS, serviceStatus: 'RUNNING', relay_serviceState: 'RUNNING' }],
    ]);

    await monitor.advance(PERIOD_MS);
    expect(monitor.take().map(([topic]) => topic)).toEqual([STATUS]);
  });

  it('keeps pending and paused states beside Butler’s RUNNING, without a change message', async () => {
    monitor = new MonitorHarness(monitorConfig());
    monitor.answers.set(ENGINE, 'running');
    monitor.start();
    await monitor.advance(0);
    monitor.take();
    for (const [answer, state] of [
      ['start-pending', 'START_PENDING'],
      ['paused', 'PAUSED'],
    ] as const) {
      monitor.answers.set(ENGINE, answer);
      await monitor.advance(PERIOD_MS);
      expect(monitor.take()).toEqual([
        [STATUS, { ...ENGINE_DETAILS, serviceStatus: 'RUNNING', relay_serviceState: state }],
      ]);
    }
  });

  it('publishes the status retained and the change messages not retained', async () => {
    monitor = new MonitorHarness(monitorConfig());
    monitor.answers.set(ENGINE, 'stopped');
    monitor.start();
    await monitor.advance(0);
    expect(monitor.messages.map((m) => [m.topic, m.retain])).toEqual([
      [STOPPED, undefined],
      [STATUS, true],
    ]);
  });

  it("gives Butler's bytes with Relay.serviceMonitor.relayFields false and retainStatus false", async () => {
    monitor = new MonitorHarness(
      monitorConfig({
        'Relay.serviceMonitor.relayFields': false,
        'Relay.serviceMonitor.retainStatus': false,
      }),
    );
    monitor.answers.set(ENGINE, 'stopped');
    monitor.start();
    await monitor.advance(0);
    const [stopped, status] = monitor.messages;
    const details =
      `"serviceDependencies":["QlikSenseServiceDispatcher","RPCSS"],"serviceStartType":"Automatic",` +
      `"serviceExePath":${JSON.stringify(ENGINE_EXE)}`;
    expect(stopped?.payload).toBe(
      `{"serviceHost":"${HOST}","serviceName":"${ENGINE}","serviceFriendlyName":"Engine",` +
        `"serviceDisplayName":"Qlik Sense Engine Service",${details},` +
        `"serviceStatus":"STOPPED","servicePrevStatus":"PAUSED","serviceStatusChanged":true}`,
    );
    expect(status?.payload).toBe(
      `{"serviceHost":"${HOST}","serviceName":"${ENGINE}","serviceDisplayName":"Qlik Sense Engine Service",` +
        `"serviceFriendlyName":"Engine",${details},"serviceStatus":"STOPPED"}`,
    );
    expect(status?.retain).toBe(false);
  });

  it('a probe that fails is UNKNOWN in the status message, logged once, and no change', async () => {
    monitor = new MonitorHarness(monitorConfig());
    monitor.answers.set(ENGINE, 'running');
    monitor.start();
    await monitor.advance(0);
    monitor.take();

    monitor.answers.set(ENGINE, 'unreachable');
    await monitor.advance(PERIOD_MS);
    await monitor.advance(PERIOD_MS);
    const unknown = {
      ...ENGINE_DETAILS, // the last details known
      serviceStatus: 'UNKNOWN',
      relay_serviceState: 'UNKNOWN',
      relay_error:
        'sc.exe exited with 1722: [SC] OpenSCManager FAILED 1722: The RPC server is unavailable.',
    };
    expect(monitor.take()).toEqual([
      [STATUS, unknown],
      [STATUS, unknown],
    ]);
    expect(monitor.logs.events('service-monitor.probe-failed').map((r) => r.level)).toEqual([
      40, 20,
    ]);

    // Back as it was before the failure: no change message; stopped afterwards is a change.
    monitor.answers.set(ENGINE, 'running');
    await monitor.advance(PERIOD_MS);
    expect(monitor.take().map(([topic]) => topic)).toEqual([STATUS]);
    expect(monitor.logs.events('service-monitor.probe-recovered')).toHaveLength(1);
    expect(
      await counter(monitor, 'relay_service_probe_calls_total', {
        probe: 'windows-sc',
        outcome: 'failed',
      }),
    ).toBe(2);
  });

  it('a service not installed is UNKNOWN with sc.exe’s reason, and reported at start-up', async () => {
    monitor = new MonitorHarness(
      monitorConfig({
        'Butler.serviceMonitor.monitor': [
          { host: HOST, services: [{ name: 'NoSuchService', friendlyName: 'Typo' }] },
        ],
      }),
    );
    monitor.start();
    await monitor.advance(0);
    expect(monitor.take()).toEqual([
      [
        `qliksense/service_status/${HOST}/NoSuchService`,
        expect.objectContaining({
          serviceStatus: 'UNKNOWN',
          serviceDisplayName: '',
          serviceDependencies: [],
          relay_error: expect.stringContaining(
            'does not exist as an installed service',
          ) as unknown as string,
        }),
      ],
    ]);
    // Butler would switch the whole monitor off; the relay says which service is missing.
    expect(monitor.logs.events('service-monitor.not-installed')).toEqual([
      expect.objectContaining({ host: HOST, services: ['NoSuchService'] }),
    ]);
  });

  it('a probe call that hangs is cancelled after Relay.serviceMonitor.timeoutMs and reported UNKNOWN', async () => {
    monitor = new MonitorHarness(monitorConfig({ 'Relay.serviceMonitor.timeoutMs': 5_000 }));
    monitor.answers.set(ENGINE, 'hang');
    monitor.start();
    await monitor.advance(4_999);
    expect(monitor.messages).toEqual([]);
    await monitor.advance(1);
    expect(monitor.take()).toEqual([
      [
        STATUS,
        expect.objectContaining({
          serviceStatus: 'UNKNOWN',
          relay_error: 'no answer within 5000 ms',
        }),
      ],
    ]);
    const probeCalls = monitor.calls.filter((c) => c.args[1] !== 'state=' && c.args[2] === ENGINE);
    expect(probeCalls.length).toBeGreaterThan(0);
    expect(probeCalls.every((c) => c.signal.aborted)).toBe(true);
  });

  it('polls never overlap: a slow poll delays the next one and is counted', async () => {
    monitor = new MonitorHarness(monitorConfig({ 'Relay.serviceMonitor.timeoutMs': 100_000 }));
    monitor.answers.set(ENGINE, 'running');
    monitor.delayMs = 45_000; // longer than the 30 s period
    monitor.start();
    await monitor.advance(45_000); // first poll ends; the tick at 30 s waited for it
    expect(monitor.take().map(([topic]) => topic)).toEqual([STATUS]);
    await monitor.advance(44_999);
    expect(monitor.messages).toEqual([]);
    // The ticks at 30 s and 60 s both came while a poll ran.
    expect(
      await counter(monitor, 'relay_poll_overruns_total', { pipeline: 'butler-service-monitor' }),
    ).toBe(2);
    await monitor.advance(1); // the delayed poll (started at 45 s) ends at 90 s
    expect(monitor.take().map(([topic]) => topic)).toEqual([STATUS]);
    expect(monitor.maxInFlightPerService).toBe(2); // query and qc of one service, never two polls
  });
});

describe('the service monitor at start-up', () => {
  it('refuses a schedule it cannot follow, naming the key', () => {
    expect(() =>
      serviceMonitorPipeline(monitorConfig({ 'Butler.serviceMonitor.frequency': 'at 10:15 am' })),
    ).toThrow('Butler.serviceMonitor.frequency: got "at 10:15 am", expected a schedule such as');
  });
});

async function counter(
  monitor: MonitorHarness,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = await monitor.test.metrics.registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return found?.value ?? 0;
}
