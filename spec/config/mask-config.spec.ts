import { loadConfig, maskConfig, SECRET_MASK, SETTINGS } from '../../lib/config/index.js';
import { BROKEN_YAML, fixture, loadError, temporaryFile } from './fixture.js';

describe('maskConfig', () => {
  const { config } = loadConfig({ file: fixture('secrets.yaml'), env: {} });
  const masked = maskConfig(config);
  const printed = JSON.stringify(masked);

  test('masks every password and token', () => {
    expect(masked.Relay.mqtt.password).toBe(SECRET_MASK);
    expect(masked.Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.password).toBe(
      SECRET_MASK,
    );
    expect(masked.Butler.qlikSenseCloud.event.mqtt.tenant.auth.jwt.token).toBe(SECRET_MASK);
    expect(printed).not.toMatch(/s3cret/);
  });

  test('leaves everything else, including usernames', () => {
    expect(masked.Relay.mqtt.username).toBe('relay-user');
    const unmasked = structuredClone(masked);
    unmasked.Relay.mqtt.password = config.Relay.mqtt.password;
    unmasked.Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.password =
      config.Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.password;
    unmasked.Butler.qlikSenseCloud.event.mqtt.tenant.auth.jwt.token =
      config.Butler.qlikSenseCloud.event.mqtt.tenant.auth.jwt.token;
    expect(unmasked).toEqual(config);
  });

  test('does not change the config it is given', () => {
    expect(config.Relay.mqtt.password).toBe('relay-s3cret-value');
  });

  test('leaves empty secrets empty', () => {
    const defaults = maskConfig(loadConfig({ env: {} }).config);
    expect(defaults.Relay.mqtt.password).toBe('');
  });

  test('the sensitive settings come from the schema', () => {
    expect(SETTINGS.filter((info) => info.sensitive).map((info) => info.path)).toEqual([
      'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.broker.password',
      'Butler.qlikSenseCloud.event.mqtt.tenant.auth.jwt.token',
      'Relay.mqtt.password',
    ]);
  });
});

describe('secrets never appear in problems', () => {
  test('wrongly typed secrets and misspelt secret keys are masked', () => {
    const error = loadError({ file: fixture('bad-secrets.yaml'), env: {} });
    expect(error.problems.map((problem) => problem.key).sort()).toEqual([
      'Butler.qlikSenseCloud.event.mqtt.tenant.auth.jwt.token',
      'Relay.mqtt.password',
      'Relay.mqtt.pasword',
    ]);
    for (const problem of error.problems) expect(problem.value).toBe(SECRET_MASK);
    expect(error.message).not.toMatch(/s3cret/);
  });

  test('secrets from env vars and overrides are masked too', () => {
    const error = loadError({
      env: { RELAY_MQTT_PASSWORD: 'env-s3cret', RELAY_HTTP_PORT: 'x' },
      overrides: { 'Relay.mqtt.passwd': 'cli-s3cret' },
    });
    expect(error.message).not.toMatch(/s3cret/);
  });

  test('YAML syntax errors do not quote the file', () => {
    const error = loadError({ file: temporaryFile('broken.yaml', BROKEN_YAML), env: {} });
    expect(error.message).not.toContain('unterminated');
  });
});
