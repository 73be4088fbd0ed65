import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config/index.js';
import { builtinPipelines } from '../../pipelines/index.js';

const EXAMPLE = fileURLToPath(
  new URL('../../config/examples/qlik-cloud-events.yaml', import.meta.url),
);

describe('config/examples/qlik-cloud-events.yaml', () => {
  it('loads, and runs the cloud reload pipeline on the forward broker’s reload source', () => {
    const { config } = loadConfig({ file: EXAMPLE, env: {} });
    const cloud = builtinPipelines(config).find((p) => p.name === 'cloud-reload-events');
    expect(cloud?.source).toEqual({ type: 'qlik-cloud-app-reload' });
    expect(config.Relay.cloudEvents.failedTopic).toBe('qliksense/cloud/app_reload_failed');
  });

  it('runs no cloud pipeline while the forward broker is off, as Butler opens none', () => {
    const { config } = loadConfig({
      file: EXAMPLE,
      env: {},
      overrides: { 'Butler.mqttConfig.qlikSenseCloud.event.mqttForward.enable': false },
    });
    expect(builtinPipelines(config).map((p) => p.name)).not.toContain('cloud-reload-events');
  });
});
