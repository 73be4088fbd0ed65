import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { formatWatchedMessage } from '../../lib/cli/format-watched-message.js';
import { runCli } from '../support/cli-run.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { TestSubscriber } from '../support/subscriber.js';
import { waitUntil } from '../support/wait-until.js';

const AVAILABILITY = 'watch/relay/availability';

describe('sense-mqtt-relay watch', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker.stop());

  function configFile(): string {
    const file = join(mkdtempSync(join(tmpdir(), 'watch-')), 'config.yaml');
    writeFileSync(
      file,
      stringify({
        Butler: { mqttConfig: { enable: true, brokerHost: broker.host, brokerPort: broker.port } },
        Relay: {
          mqtt: { protocolVersion: 5, availability: { enable: true, topic: AVAILABILITY } },
        },
      }),
    );
    return file;
  }

  it('prints each message as a JSON line when piped, and leaves the availability topic alone', async () => {
    const watcher = new AbortController();
    let output = { out: '', err: '' };
    const run = runCli(
      ['watch', '-c', configFile(), '--topic', 'watch/events/#'],
      {},
      {
        signal: watcher.signal,
        onOutput: (out, err) => (output = { out, err }),
      },
    );
    await waitUntil(() => output.err.includes('watching watch/events/#'), 'the watch to subscribe');

    const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    await publisher.publishAsync('watch/events/full', '{"taskName":"Reload ✓"}', {
      qos: 1,
      properties: { userProperties: { 'event-id': 'e-1' } },
    });
    await publisher.publishAsync('watch/events/basic', 'Reload ✓', { qos: 1, retain: true });
    await publisher.publishAsync('watch/other', 'not watched', { qos: 1 });
    await publisher.publishAsync('watch/events/binary', Buffer.from([0xff, 0x00, 0xfe]), {
      qos: 1,
    });
    await waitUntil(() => output.out.split('\n').length > 3, 'three lines');
    watcher.abort();
    const { code, out } = await run;
    await publisher.publishAsync('watch/events/basic', '', { qos: 1, retain: true }); // clear it
    await publisher.endAsync();

    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        topic: 'watch/events/full',
        retain: false,
        eventId: 'e-1',
        payload: { taskName: 'Reload ✓' },
      }),
      expect.objectContaining({ topic: 'watch/events/basic', retain: false, payload: 'Reload ✓' }),
      expect.objectContaining({
        topic: 'watch/events/binary',
        payload: { base64: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') },
      }),
    ]);

    // The watch had no last will and published nothing: no "offline" for the relay's topic.
    const check = await TestSubscriber.connect(broker.url, [AVAILABILITY]);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a retained message comes at once
    expect(check.messages(AVAILABILITY)).toEqual([]);
    await check.close();
  });

  it('refuses a --topic that is not a filter, and --topic on another command', async () => {
    await expect(runCli(['watch', '--topic', 'a/#/b'])).resolves.toMatchObject({ code: 2 });
    await expect(runCli(['check-config', '--topic', 'a/#'])).resolves.toMatchObject({ code: 2 });
  });
});

describe('formatWatchedMessage', () => {
  const message = {
    topic: 'qliksense/task_failure',
    payload: Buffer.from('Reload\nsales'),
    qos: 1,
    retain: true,
    eventId: 'e-9',
    receivedAt: new Date('2026-11-23T12:34:56.789Z'),
  };

  it('writes one readable line on a terminal, in colour', () => {
    const line = formatWatchedMessage(message, { readable: true, colour: true });
    expect(line).toBe(
      '\u001b[2m12:34:56.789\u001b[0m \u001b[36mqliksense/task_failure\u001b[0m ' +
        '\u001b[33m[retained id e-9]\u001b[0m Reload\\nsales\n',
    );
  });

  it('writes the same without colour when asked (NO_COLOR)', () => {
    expect(formatWatchedMessage(message, { readable: true, colour: false })).toBe(
      '12:34:56.789 qliksense/task_failure [retained id e-9] Reload\\nsales\n',
    );
  });
});
