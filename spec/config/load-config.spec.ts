import { loadConfig } from '../../lib/config/index.js';
import { BROKEN_YAML, fixture, loadError, shippedConfig, temporaryFile } from './fixture.js';

describe('loadConfig without a file', () => {
  test('gives the schema defaults', () => {
    const { config, file, ignored } = loadConfig({ env: {} });
    expect(file).toBeUndefined();
    expect(ignored).toEqual([]);
    expect(config.Butler.mqttConfig).toMatchObject({
      enable: false,
      brokerHost: 'localhost',
      brokerPort: 1883,
      subscriptionRootTopic: 'qliksense/#',
      taskStartTopic: 'qliksense/start_task',
    });
    expect(config.Butler.udpServerConfig).toMatchObject({
      enable: false,
      serverHost: '0.0.0.0',
      portTaskFailure: 9998,
    });
    expect(config.Butler.serviceMonitor.monitor).toBeNull();
    expect(config.Butler.startTaskFilter).toEqual({
      enable: false,
      allowTask: { taskId: [], tag: [], customProperty: [] },
    });
    expect(config.Relay).toMatchObject({
      log: { level: 'info', pretty: 'auto' },
      mqtt: { protocolVersion: 4, clientId: '', reconnect: { initialDelayMs: 1000 } },
      publish: { qos: 1, inFlight: 100, queue: { overflow: 'drop-oldest' } },
      http: { enable: false, host: '127.0.0.1', port: 9842 },
      pipelines: [],
      pipelineModules: '',
    });
  });

  test('reads process.env when no env is given', () => {
    process.env.RELAY_HTTP_PORT = '9999';
    try {
      expect(loadConfig().config.Relay.http.port).toBe(9999);
    } finally {
      delete process.env.RELAY_HTTP_PORT;
    }
  });
});

describe('the shipped config files', () => {
  test('config/default.yaml loads with no problems and nothing ignored', () => {
    const { config, file, ignored } = loadConfig({ file: shippedConfig('default.yaml'), env: {} });
    expect(file).toBe(shippedConfig('default.yaml'));
    expect(ignored).toEqual([]);
    expect(config.Butler.mqttConfig).toMatchObject({
      enable: true,
      brokerHost: 'localhost',
      brokerPort: 1883,
      taskFailureSendFull: true,
      taskAbortedSendFull: true,
    });
    expect(config.Butler.udpServerConfig).toMatchObject({
      enable: true,
      serverHost: '127.0.0.1',
      portTaskFailure: 9998,
    });
    expect(config.Relay.http).toEqual({ enable: true, host: '127.0.0.1', port: 9842 });
    expect(config.Relay.log.level).toBe('info');
    expect(config.Relay.mqtt.embeddedBroker).toBe(true); // for trying it out on a bare machine
    expect(config.Relay.outbox).toMatchObject({ store: 'disk', fsync: 'always' });
  });

  test('a Butler config with no Relay section gets the safe defaults', () => {
    const { config } = loadConfig({ file: shippedConfig('butler-example.yaml'), env: {} });
    // Never a broker of its own: during an outage of the real broker on localhost, the relay
    // would hand its outbox to a broker nobody listens to, and take the real broker's port.
    expect(config.Relay.mqtt.embeddedBroker).toBe(false);
    expect(config.Relay.outbox).toEqual({
      store: 'disk',
      directory: '',
      fsync: 'always',
      fsyncIntervalMs: 1000,
      maxAgeSeconds: 604800,
    });
    expect(config.Relay.publish.qos).toBe(1);
  });

  test('config/butler-example.yaml loads unchanged and lists what the relay does not use', () => {
    const { config, ignored } = loadConfig({ file: shippedConfig('butler-example.yaml'), env: {} });
    expect(config.Butler.mqttConfig.brokerHost).toBe('mqtt.corp.example.com');
    expect(config.Butler.mqttConfig.subscriptionRootTopic).toBe('qliksense/#');
    expect(config.Butler.serviceMonitor.monitor).toHaveLength(2);
    expect(config.Butler.restServerConfig.tls.ca).toBeNull();
    expect(config.Butler.restServerEndpointsEnable.mqttPublishMessage).toBe(true);
    expect(config.Butler.udpServerConfig.allowedSources).toEqual([
      '10.20.30.41',
      'sense2.corp.example.com',
    ]);
    expect(ignored).toEqual(
      expect.arrayContaining([
        'Butler.logLevel',
        'Butler.fileLogging',
        'Butler.configEngine',
        'Butler.configVisualisation',
        'Butler.heartbeat',
        'Butler.dockerHealthCheck',
        'Butler.uptimeMonitor',
        'Butler.thirdPartyToolsCredentials',
        'Butler.qlikSenseVersion',
        'Butler.teamsNotification',
        'Butler.slackNotification',
        'Butler.emailNotification',
        'Butler.webhookNotification',
        'Butler.incidentTool',
        'Butler.influxDb',
        'Butler.scriptLog',
        'Butler.qlikSenseUrls',
        'Butler.restServerApiDocGenerate',
        'Butler.configDirectories',
        // Unknown keys inside sections the relay does use are listed by their full path.
        'Butler.serviceMonitor.alertDestination.email',
        'Butler.qlikSenseLicense.licenseRelease',
        'Butler.restServerEndpointsEnable.senseStartTask',
      ]),
    );
    expect(ignored).not.toContain('Butler.mqttConfig');
    expect(ignored.some((path) => path.startsWith('Butler.mqttConfig.'))).toBe(false);
    expect(ignored.some((path) => path.startsWith('Butler.udpServerConfig.'))).toBe(false);
  });
});

describe('loadConfig with a file', () => {
  test('merges the file over the defaults', () => {
    const { config } = loadConfig({ file: fixture('minimal.yaml'), env: {} });
    expect(config.Butler.mqttConfig.enable).toBe(true);
    expect(config.Butler.mqttConfig.brokerHost).toBe('broker.example.com');
    expect(config.Butler.mqttConfig.brokerPort).toBe(1883);
  });

  test('reads JSON files', () => {
    const { config } = loadConfig({ file: fixture('minimal.json'), env: {} });
    expect(config.Butler.mqttConfig.brokerPort).toBe(1884);
    expect(config.Relay.log.level).toBe('debug');
  });

  test('reads JSON indented with tabs', () => {
    const file = temporaryFile(
      'tabs.json',
      '{\n\t"Relay": {\n\t\t"http": { "port": 1234 }\n\t}\n}\n',
    );
    expect(loadConfig({ file, env: {} }).config.Relay.http.port).toBe(1234);
  });

  test('a # after a space starts a comment, a # inside a value does not', () => {
    const { config } = loadConfig({ file: fixture('comment-rule.yaml'), env: {} });
    expect(config.Butler.mqttConfig.subscriptionRootTopic).toBe('qliksense/#');
    expect(config.Butler.qlikSenseCloud.event.mqtt.tenant.comment).toBe('team#1');
  });

  test('an empty file gives the defaults', () => {
    const { config } = loadConfig({ file: fixture('empty.yaml'), env: {} });
    expect(config.Butler.mqttConfig.enable).toBe(false);
  });

  test('unknown top-level keys, unknown Butler keys and empty sections are not errors', () => {
    const { config, ignored } = loadConfig({ file: fixture('extra-sections.yaml'), env: {} });
    expect(ignored).toEqual([
      'Butler.emailNotification',
      'Butler.mqttConfig.someFutureKey',
      'Monitoring',
    ]);
    expect(config.Butler.mqttConfig.enable).toBe(true);
    expect(config.Butler.udpServerConfig.portTaskFailure).toBe(9998);
  });
});

describe('precedence: defaults < file < env < overrides', () => {
  const file = fixture('minimal.yaml');

  test('env vars win over the file', () => {
    const { config } = loadConfig({
      file,
      env: {
        BUTLER_MQTTCONFIG_BROKERHOST: 'env-broker',
        BUTLER_MQTTCONFIG_BROKERPORT: '1885',
        BUTLER_MQTTCONFIG_TASKFAILURESENDFULL: 'false',
        BUTLER_UDPSERVERCONFIG_ALLOWEDSOURCES: '10.0.0.1, 10.0.0.2',
        RELAY_LOG_LEVEL: 'warn',
        RELAY_LOG_PRETTY: 'true',
        RELAY_MQTT_PROTOCOLVERSION: '5',
        RELAY_PIPELINES: '[{"name":"p1"}]',
      },
    });
    expect(config.Butler.mqttConfig.brokerHost).toBe('env-broker');
    expect(config.Butler.mqttConfig.brokerPort).toBe(1885);
    expect(config.Butler.mqttConfig.taskFailureSendFull).toBe(false);
    expect(config.Butler.udpServerConfig.allowedSources).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(config.Relay.log).toEqual({ level: 'warn', pretty: true });
    expect(config.Relay.mqtt.protocolVersion).toBe(5);
    expect(config.Relay.pipelines).toEqual([{ name: 'p1' }]);
  });

  test('overrides win over env vars and the file', () => {
    const { config } = loadConfig({
      file,
      env: { BUTLER_MQTTCONFIG_BROKERHOST: 'env-broker', RELAY_LOG_LEVEL: 'warn' },
      overrides: { 'Butler.mqttConfig.brokerHost': 'cli-broker', 'Relay.log.level': 'debug' },
    });
    expect(config.Butler.mqttConfig.brokerHost).toBe('cli-broker');
    expect(config.Relay.log.level).toBe('debug');
  });

  test('an undefined override is not given', () => {
    const { config } = loadConfig({
      env: { RELAY_LOG_LEVEL: 'warn' },
      overrides: { 'Relay.log.level': undefined },
    });
    expect(config.Relay.log.level).toBe('warn');
  });

  test('override text is read like env text', () => {
    const { config } = loadConfig({ env: {}, overrides: { 'Relay.http.port': '8000' } });
    expect(config.Relay.http.port).toBe(8000);
  });
});

describe('file problems', () => {
  test('a missing file', () => {
    const error = loadError({ file: fixture('does-not-exist.yaml'), env: {} });
    expect(error.problems).toEqual([
      {
        key: '(file)',
        value: fixture('does-not-exist.yaml'),
        expected: 'a readable config file (no such file)',
      },
    ]);
  });

  test('YAML that does not parse names the line and column', () => {
    const error = loadError({ file: temporaryFile('broken.yaml', BROKEN_YAML), env: {} });
    expect(error.problems[0]).toMatchObject({
      key: '(file)',
      expected: expect.stringMatching(/^valid YAML \(line \d+, column \d+: .+\)$/),
    });
  });

  test('a key given twice', () => {
    const error = loadError({ file: fixture('duplicate-key.yaml'), env: {} });
    expect(error.problems[0]?.expected).toMatch(/valid YAML \(line 4, column 5: .*unique/);
  });

  test('a file that is not a mapping', () => {
    const error = loadError({ file: fixture('not-a-mapping.yaml'), env: {} });
    expect(error.problems).toEqual([
      {
        key: '(file)',
        value: fixture('not-a-mapping.yaml'),
        expected: 'a YAML mapping with Butler: and/or Relay: at the top level',
      },
    ]);
  });
});
