import convict from 'convict';
import { envNameFor, loadConfig, relaySchema, SETTINGS } from '../../lib/config/index.js';

describe('the schema', () => {
  test('every setting has a one-sentence description', () => {
    for (const info of SETTINGS) {
      expect([info.path, /^[A-Z'].+\.$/.test(info.doc)]).toEqual([info.path, true]);
    }
  });

  test('every setting has an env var named after its path, and no two share one', () => {
    for (const info of SETTINGS) expect(info.envName).toBe(envNameFor(info.path));
    const names = SETTINGS.map((info) => info.envName);
    expect(new Set(names).size).toBe(names.length);
    expect(envNameFor('Butler.mqttConfig.brokerHost')).toBe('BUTLER_MQTTCONFIG_BROKERHOST');
    expect(envNameFor('Relay.log.level')).toBe('RELAY_LOG_LEVEL');
  });

  test('every default passes its own check', () => {
    expect(() => loadConfig({ env: {} })).not.toThrow();
  });

  test('is a valid convict schema whose defaults pass convict’s strict validation', () => {
    const store = convict(relaySchema, { env: {}, args: [] });
    expect(() => store.validate({ allowed: 'strict' })).not.toThrow();
  });

  test('covers the Butler keys of every MQTT flow', () => {
    const paths = new Set(SETTINGS.map((info) => info.path));
    for (const path of [
      'Butler.mqttConfig.azureEventGrid.clientKeyFile',
      'Butler.mqttConfig.qlikSenseServerLicenseExpireTopic',
      'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.topic.appReload',
      'Butler.udpServerConfig.queueMetrics.influxdb.tags',
      'Butler.configQRS.headers.static',
      'Butler.serviceMonitor.alertDestination.mqtt.enable',
      'Butler.qlikSenseLicense.serverLicenseMonitor.destination.mqtt.sendAlert.enable',
      'Butler.restServerConfig.tls.ca',
      'Butler.restServerEndpointsEnable.mqttPublishMessage',
      'Butler.startTaskFilter',
      'Butler.qlikSenseCloud.event.mqtt.tenant.auth.jwt.token',
    ]) {
      expect([path, paths.has(path)]).toEqual([path, true]);
    }
  });
});
