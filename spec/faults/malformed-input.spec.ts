import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parse, stringify } from 'yaml';
import { formatSchedulerDatagram } from '../../lib/qlik/log-appender-datagram.js';
import { runCliProcess } from '../support/cli-process.js';
import { runCli } from '../support/cli-run.js';
import { DeliveryLedger, expectNothingLost } from '../support/delivery-ledger.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { TOPICS, useTaskEventsEnvironment } from '../support/task-relay.js';
import { waitUntil } from '../support/wait-until.js';
import {
  FAILED_RELOAD_CHANNELS,
  failedReload,
  type FailedReloadText,
} from './support/failed-reload.js';
import { FAULT_SEED, faultSetting } from './support/fault-settings.js';
import { probeHealth } from './support/health-probes.js';

const RUNS = faultSetting('FAULT_FUZZ_RUNS', 25, 150);
const CONFIG_RUNS = faultSetting('FAULT_CONFIG_RUNS', 300, 1500);
const CONFIG_PROCESS_RUNS = faultSetting('FAULT_CONFIG_PROCESS_RUNS', 6, 20);
/** Fails fast with the counterexample rather than shrinking against a running process. */
const FUZZ = { seed: FAULT_SEED, endOnFailure: true } as const;
const MAX_MESSAGE_SIZE = 2000;

/** Text without ';', so that it stays one field of a datagram. */
const fieldText = (maxLength: number) =>
  fc.string({ unit: 'binary', maxLength }).map((text) => text.replaceAll(';', ','));

const SCHEDULER_TAGS = [
  '/scheduler-task-failed/',
  '/scheduler-reload-failed/',
  '/SCHEDULER-TASK-ABORTED/',
  '/scheduler-task-success//',
  '/scheduler-distribute/',
];

/** A datagram that is a task event in every way but one. */
const templateDatagram = (taskId = taskFullFixture().id) =>
  formatSchedulerDatagram({
    hostName: 'qs-node1',
    taskName: 'Reload - Sales Dashboard',
    appName: 'Sales Dashboard',
    user: 'INTERNAL\\sa_scheduler',
    taskId,
    appId: appFullFixture().id,
    logTimeStamp: '2025-03-21 06:00:00,000',
    executionId: '0badda7a-0000-4000-8000-000000000000',
  });

const SEMICOLON = 0x3b;
/** Byte sequences that are never valid UTF-8, wherever they stand. */
const INVALID_UTF8 = [[0xff], [0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80]];

/**
 * Datagrams that can never be a task event, each for a reason that does not depend on the
 * relay's parser: fewer than the 9 fields of the shortest event, bytes that are not UTF-8, an
 * unknown tag, a task id that is no GUID, or more bytes than `maxMessageSize`.
 */
const badDatagram: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .uint8Array({ maxLength: 400 })
    .filter((bytes) => bytes.filter((b) => b === SEMICOLON).length < 8)
    .map((bytes) => Buffer.from(bytes)),
  fc
    .tuple(fc.constantFrom(...SCHEDULER_TAGS), fc.array(fieldText(40), { maxLength: 7 }))
    .map(([tag, fields]) => Buffer.from([tag, ...fields].join(';'))),
  fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)).map(([at, invalid]) => {
    const good = Buffer.from(templateDatagram());
    const cut = at % (good.length + 1);
    return Buffer.concat([good.subarray(0, cut), Buffer.from(invalid), good.subarray(cut)]);
  }),
  fc
    .tuple(fieldText(30), fc.array(fieldText(30), { minLength: 10, maxLength: 14 }))
    .map(([tag, fields]) => Buffer.from([`x${tag}`, ...fields].join(';'))),
  fieldText(40).map((junk) => Buffer.from(templateDatagram(`z${junk}`))),
  fc
    .integer({ min: MAX_MESSAGE_SIZE + 1, max: MAX_MESSAGE_SIZE + 3000 })
    .map((size) => Buffer.from(templateDatagram().padEnd(size, 'x'))),
  fc.constant(Buffer.alloc(0)),
);

/** Free text for a good datagram: any characters, control characters and ';' in the message. */
const goodText = fc.record({
  hostName: fieldText(60),
  user: fieldText(60),
  logMessage: fc.string({ unit: 'binary', maxLength: 200 }),
});

type Item = { good: FailedReloadText } | { bad: Buffer };

const datagramBatch = fc.array(
  fc.oneof(
    { arbitrary: goodText.map((good): Item => ({ good })), weight: 1 },
    { arbitrary: badDatagram.map((bad): Item => ({ bad })), weight: 3 },
  ),
  { minLength: 1, maxLength: 12 },
);

describe('malformed input to the whole relay process', () => {
  const suite = useTaskEventsEnvironment();

  it(`UDP: ${RUNS} batches of bad datagrams among good ones; every good one delivered, every bad one counted`, async () => {
    const relay = await suite.start({ udpServerConfig: { maxMessageSize: MAX_MESSAGE_SIZE } });
    const { subscriber } = suite.env;
    await subscriber.waitForMessage(TOPICS.serverStatus, (m) => m.payload === 'start');
    const ledger = await DeliveryLedger.open({
      title: `UDP fuzz, ${RUNS} batches of good and bad datagrams`,
      seed: FAULT_SEED,
      httpPort: relay.httpPort,
      subscriber,
      channels: FAILED_RELOAD_CHANNELS,
    });
    let goodSent = 0;

    await fc.assert(
      fc.asyncProperty(datagramBatch, async (items) => {
        const keys: string[] = [];
        const datagrams = items.map((item) => {
          if ('bad' in item) {
            ledger.record();
            return item.bad;
          }
          const { key, datagram } = failedReload('udp fuzz', goodSent++, item.good);
          ledger.record(key);
          keys.push(key);
          return datagram;
        });
        await relay.send(...datagrams);
        await waitUntil(() => ledger.allDelivered(keys), `good datagrams ${keys}`, 10_000);
        expect(relay.process.exitCode).toBeUndefined();
      }),
      { ...FUZZ, numRuns: RUNS },
    );

    const entry = await ledger.settle(20_000);
    expectNothingLost(entry);
    const reasons = Object.keys(entry.droppedBeforeAcceptance);
    const expected = new Set(
      ['malformed', 'unknown-type', 'too-large'].map((r) => `udp:tasks/${r}`),
    );
    expect(reasons.filter((reason) => !expected.has(reason))).toEqual([]);
    expect((await probeHealth(relay.httpPort)).status).toBe(200);
  }, 120_000);

  it(`MQTT: ${RUNS} batches of arbitrary payloads into a YAML pipeline; each relayed intact, the relay keeps going`, async () => {
    const relay = await suite.start({
      relay: {
        pipelines: [
          {
            name: 'fuzz-echo',
            source: { type: 'mqtt', topic: 'fuzz/in/#' },
            routes: [
              { topic: 'fuzz/out/echo', payload: '{{data.topic}} {{data.payload}}' },
              { topic: 'fuzz/out/json', payload: 'json' },
            ],
          },
        ],
      },
    });
    const { broker, subscriber } = suite.env;
    const ledger = await DeliveryLedger.open({
      title: `MQTT payload fuzz, ${RUNS} batches into a YAML pipeline`,
      seed: FAULT_SEED,
      httpPort: relay.httpPort,
      subscriber,
      channels: [
        // The key is the input topic: the echo starts with it, the JSON carries it.
        { topic: 'fuzz/out/echo', keyOf: (m) => m.payload.slice(0, m.payload.indexOf(' ')) },
        { topic: 'fuzz/out/json', keyOf: (m) => (JSON.parse(m.payload) as EchoData).topic },
      ],
    });
    const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100 });
    const sent = new Map<string, Buffer>();
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'binary', maxLength: 500 }).map((text) => Buffer.from(text)),
      fc
        .constantFrom(
          '',
          '{{data.payload}}',
          '{{id}} {{kind}}',
          'json',
          'event',
          '\u0000',
          '{"topic":"fuzz/in/0","payload":"spoofed"}',
          'fuzz/in/0 spoofed',
        )
        .map((text) => Buffer.from(text)),
      fc.integer({ min: 100_000, max: 300_000 }).map((size) => Buffer.alloc(size, 0xff)),
    );

    try {
      await fc.assert(
        fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 8 }), async (payloads) => {
          const keys: string[] = [];
          for (const bytes of payloads) {
            const topic = `fuzz/in/${sent.size}`;
            sent.set(topic, bytes);
            ledger.record(topic);
            keys.push(topic);
            await publisher.publishAsync(topic, bytes, { qos: 1 });
          }
          await waitUntil(() => ledger.allDelivered(keys), `relayed ${keys}`, 10_000);
          expect(relay.process.exitCode).toBeUndefined();
        }),
        { ...FUZZ, numRuns: RUNS },
      );
    } finally {
      await publisher.endAsync();
    }

    const entry = await ledger.settle(20_000);
    expectNothingLost(entry);
    expect(entry.droppedBeforeAcceptance).toEqual({});
    // Intact: the payload as UTF-8 text, whatever it held, in both messages.
    const echoes = new Set(subscriber.payloads('fuzz/out/echo'));
    const jsonPayloads = new Map(
      subscriber
        .payloads('fuzz/out/json')
        .map((text) => JSON.parse(text) as EchoData)
        .map((data) => [data.topic, data.payload]),
    );
    const garbled = [...sent].filter(([topic, bytes]) => {
      const text = bytes.toString('utf8');
      return !echoes.has(`${topic} ${text}`) || jsonPayloads.get(topic) !== text;
    });
    expect(garbled.map(([topic]) => topic)).toEqual([]);
    expect((await probeHealth(relay.httpPort)).status).toBe(200);
  }, 120_000);
});

/** The `json` form of an `mqtt.message` event's data. */
interface EchoData {
  topic: string;
  payload: string;
}

/** Every dotted path in the example configs, so that values land where the relay reads them. */
const CONFIG_PATHS = [
  ...new Set(
    ['config/default.yaml', 'config/butler-example.yaml'].flatMap((file) =>
      pathsOf(parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'))),
    ),
  ),
  'Relay.pipelines',
  'Relay.pipelines.0',
  'Relay.pipelines.0.source',
  'Relay.pipelines.0.routes',
  'Relay.pipelineModules',
  'Relay.outbox',
];

function pathsOf(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...pathsOf(child, path)];
  });
}

function withValueAt(document: unknown, path: string, value: unknown): unknown {
  const root = (document !== null && typeof document === 'object' ? document : {}) as Record<
    string,
    unknown
  >;
  const keys = path.split('.');
  let node = root;
  keys.slice(0, -1).forEach((key) => {
    const next = node[key];
    const child = next !== null && typeof next === 'object' ? next : {};
    Object.defineProperty(node, key, {
      value: child,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    node = child as Record<string, unknown>;
  });
  // Defined, not assigned: a key such as __proto__ must become a key of the file, as in YAML.
  Object.defineProperty(node, keys[keys.length - 1] as string, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return root;
}

const EXAMPLE = readFileSync(new URL('../../config/butler-example.yaml', import.meta.url), 'utf8');
const YAML_PIECES = [
  'Butler:\n',
  'Relay:\n',
  '  mqttConfig:\n',
  '  udpServerConfig:\n',
  '    enable: true\n',
  '    brokerPort: 70000\n',
  '  pipelines:\n',
  '    - name: x\n',
  '      source: mqtt\n',
  '      routes: [{topic: a/#}]\n',
  '  log: {level: loud}\n',
  'a: &a [*a]\n',
  '<<: *b\n',
  'b: &b {c: 1}\n',
  '<<: [*b, *b]\n',
  '!!binary AAAA\n',
  '!!js/function "f(){}"\n',
  '? [complex, key]\n: v\n',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '\t',
  '  ',
  '- ',
  ': ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '#',
  '\u0000',
  '\ufeff',
  '__proto__: {polluted: true}\n',
  'constructor: {prototype: {}}\n',
];

/** A file's text: noise, YAML pieces, JSON, or one of the example configs with values changed. */
const configText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.array(fc.constantFrom(...YAML_PIECES), { maxLength: 30 }).map((pieces) => pieces.join('')),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...CONFIG_PATHS),
        fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        fc.anything({ maxDepth: 3 }),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((changes) => {
      let document = parse(EXAMPLE) as unknown;
      for (const [path, newKey, value] of changes) {
        document = withValueAt(document, newKey === undefined ? path : `${path}.${newKey}`, value);
      }
      return stringify(document);
    }),
  fieldText(200).map((text) => `${EXAMPLE}\n${text}`),
);

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/**
 * What breaks the contract of check-config (exit 0 and "config OK", or exit 1 and what is
 * wrong; never another code, a crash or a stack trace), or undefined when it held.
 */
function brokenContract(result: { code: number | null; out: string; err: string }) {
  const output = `${result.out}${result.err}`;
  if (STACK_FRAME.test(output) || output.includes('unexpected error')) {
    return `a crash or stack trace, exit ${result.code}:\n${output}`;
  }
  if (result.code === 0) {
    return /^config OK: /.test(result.out) ? undefined : `exit 0 without "config OK":\n${output}`;
  }
  if (result.code === 1) {
    return /^sense-mqtt-relay: invalid config .+\n\s+\S/.test(result.err)
      ? undefined
      : `exit 1 without saying what is wrong:\n${output}`;
  }
  return `exit ${result.code}:\n${output}`;
}

describe('arbitrary config files through check-config', () => {
  let folder: string;
  let file: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'relay-config-fuzz-'));
    // Nested, so that a relative path in a fuzzed value stays inside this folder.
    mkdirSync(join(folder, 'a', 'b'), { recursive: true });
    file = join(folder, 'a', 'b', 'config.yaml');
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it(`always end in exit 0 or 1 with a message (${CONFIG_RUNS} files, in process)`, async () => {
    const codes = { 0: 0, 1: 0 };
    await fc.assert(
      fc.asyncProperty(configText, async (text) => {
        writeFileSync(file, text);
        const result = await runCli(['check-config', '--config', file]);
        expect(brokenContract(result)).toBeUndefined();
        codes[result.code as 0 | 1] += 1;
      }),
      { seed: FAULT_SEED, numRuns: CONFIG_RUNS },
    );
    console.log(
      `[fault] check-config fuzz · seed ${FAULT_SEED}\n` +
        `  files ${CONFIG_RUNS} · exit 0: ${codes[0]} · exit 1: ${codes[1]} · other: 0`,
    );
  }, 120_000);

  it(`always end in exit 0 or 1 with a message (${CONFIG_PROCESS_RUNS} files, the real command)`, async () => {
    const codes = { 0: 0, 1: 0 };
    await fc.assert(
      fc.asyncProperty(configText, async (text) => {
        writeFileSync(file, text);
        const result = await runCliProcess(['check-config', '--config', file]);
        expect(result.timedOut).toBe(false);
        expect(brokenContract(result)).toBeUndefined();
        codes[result.code as 0 | 1] += 1;
      }),
      { ...FUZZ, numRuns: CONFIG_PROCESS_RUNS },
    );
    console.log(
      `[fault] check-config fuzz, real process · seed ${FAULT_SEED}\n` +
        `  files ${CONFIG_PROCESS_RUNS} · exit 0: ${codes[0]} · exit 1: ${codes[1]} · other: 0`,
    );
  }, 120_000);
});
