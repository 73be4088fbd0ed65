import { join } from 'node:path';
import { loadConfig } from '../../lib/config/index.js';
import { fixture } from './fixture.js';

describe('relative file paths', () => {
  const folder = fixture('');

  test('in the file resolve against the file’s folder', () => {
    const { config } = loadConfig({ file: fixture('relative-paths.yaml'), env: {} });
    expect(config.Butler.cert).toEqual({
      clientCert: join(folder, 'certs/client.pem'),
      clientCertKey: join(folder, 'certs/client_key.pem'),
      clientCertCA: '/etc/qlik/root.pem',
    });
    expect(config.Butler.mqttConfig.azureEventGrid.clientCertFile).toBe(
      join(folder, '../shared/eventgrid.pem'),
    );
    expect(config.Butler.mqttConfig.azureEventGrid.clientKeyFile).toBe('');
    expect(config.Butler.restServerConfig.tls).toEqual({
      enable: false,
      cert: join(folder, 'api/cert.pem'),
      key: join(folder, 'api/key.pem'),
      ca: null,
    });
    expect(config.Relay.mqtt.tls.ca).toBe(join(folder, 'tls/ca.pem'));
    expect(config.Relay.mqtt.tls.cert).toBe('');
    expect(config.Relay.cloudMqtt.ca).toBe(join(folder, 'tls/cloud-ca.pem'));
    expect(config.Relay.pipelineModules).toBe(join(folder, 'my-pipelines'));
  });

  test('from env vars and overrides resolve against the working directory', () => {
    const { config } = loadConfig({
      file: fixture('relative-paths.yaml'),
      env: { RELAY_MQTT_TLS_CA: 'env/ca.pem' },
      overrides: { 'Relay.pipelineModules': 'cli-pipelines' },
    });
    expect(config.Relay.mqtt.tls.ca).toBe(join(process.cwd(), 'env/ca.pem'));
    expect(config.Relay.pipelineModules).toBe(join(process.cwd(), 'cli-pipelines'));
    expect(config.Butler.cert.clientCert).toBe(join(folder, 'certs/client.pem'));
  });
});
