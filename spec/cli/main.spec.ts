import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../support/cli-run.js';

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'relay-cli-')), 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('command line', () => {
  it('prints help listing every command and option', async () => {
    const { code, out } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const word of [
      'run',
      'check-config',
      'print-config',
      'config-reference',
      '--config',
      '--log-level',
      '--version',
    ]) {
      expect(out).toContain(word);
    }
  });

  it('prints the version from package.json', async () => {
    const { code, out } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['launch'], /unknown command "launch"/],
    [['--log-level', 'loud'], /unknown log level "loud"/],
    [['--config', '/no/such/file.yaml'], /config file not found: \/no\/such\/file\.yaml/],
    [['run', 'extra'], /expected at most one command/],
  ])('exits 2 with a clear message for %j', async (argv, message) => {
    const { code, err } = await runCli(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('--help');
  });

  it('check-config accepts the embedded default and a complete Butler config', async () => {
    const embedded = await runCli(['check-config']);
    expect(embedded.code).toBe(0);
    expect(embedded.out).toMatch(/config OK: .*config\/default\.yaml/);
    const butler = await runCli(['check-config', '--config', 'config/butler-example.yaml']);
    expect(butler.code).toBe(0);
    expect(butler.out).toContain('not used by the relay: ');
    expect(butler.out).toContain('Butler.emailNotification');
  });

  it('check-config exits 1 and lists every problem with key, value and expectation', async () => {
    const file = configFile(
      [
        'Butler:',
        '  mqttConfig:',
        '    brokerPort: abc',
        '    taskFailureTopic: "a/+/b"',
        '    subscriptionRootTopic: "qliksense/#"',
        '    taskStartTopic: other/start_task',
        'Relay:',
        '  publish:',
        '    qos: 7',
        '  colour: red',
      ].join('\n'),
    );
    const { code, err } = await runCli(['check-config', '-c', file]);
    expect(code).toBe(1);
    expect(err).toContain('Butler.mqttConfig.brokerPort: got "abc"');
    expect(err).toContain('Butler.mqttConfig.taskFailureTopic: got "a/+/b"');
    expect(err).toContain('Butler.mqttConfig.taskStartTopic');
    expect(err).toContain('Relay.publish.qos: got 7');
    expect(err).toContain('Relay.colour');
  });

  it('run refuses an invalid config with exit 1 before touching the network', async () => {
    const file = configFile('Butler:\n  mqttConfig:\n    enable: true\n    brokerPort: 99999\n');
    const { code, err } = await runCli(['-c', file]);
    expect(code).toBe(1);
    expect(err).toContain('Butler.mqttConfig.brokerPort');
  });

  it('config-reference prints the reference of every key', async () => {
    const { code, out } = await runCli(['config-reference']);
    expect(code).toBe(0);
    expect(out).toMatch(/^# Configuration reference/);
    expect(out).toContain('| `brokerHost` |');
    expect(out).toContain('`RELAY_OUTBOX_FSYNC`');
  });

  it('print-config shows the effective config with secrets masked and env applied', async () => {
    const file = configFile(
      'Butler:\n  mqttConfig:\n    brokerHost: mqtt.example.com\nRelay:\n  mqtt:\n    password: hunter2\n',
    );
    const { code, out } = await runCli(['print-config', '-c', file], { RELAY_LOG_LEVEL: 'debug' });
    expect(code).toBe(0);
    expect(out).not.toContain('hunter2');
    const printed = parse(out) as {
      Butler: { mqttConfig: { brokerHost: string } };
      Relay: { mqtt: { password: string }; log: { level: string } };
    };
    expect(printed.Relay.mqtt.password).toBe('********');
    expect(printed.Butler.mqttConfig.brokerHost).toBe('mqtt.example.com');
    expect(printed.Relay.log.level).toBe('debug');
  });
});
