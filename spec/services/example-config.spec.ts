import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config/index.js';
import { servicesFromConfig } from '../../lib/sources/services/services-from-config.js';
import { builtinPipelines } from '../../pipelines/index.js';

const EXAMPLE = fileURLToPath(new URL('../../config/examples/monitors.yaml', import.meta.url));

describe('config/examples/monitors.yaml', () => {
  it('loads, and starts both monitors with the probe it names for each host', () => {
    const { config } = loadConfig({ file: EXAMPLE, env: {} });
    expect(builtinPipelines(config).map((p) => p.name)).toEqual([
      'butler-service-monitor',
      'butler-license-monitor',
      'butler-start-task',
    ]);
    expect(
      servicesFromConfig(config, { platform: 'linux' }).map((s) => [s.host, s.name, s.probe.kind]),
    ).toEqual([
      ['sense1.corp.example.com', 'QlikSenseEngineService', 'command'],
      ['sense1.corp.example.com', 'QlikSenseRepositoryService', 'command'],
      ['sense2.corp.example.com', 'QlikSenseEngineService', 'command'],
      ['localhost', 'mosquitto.service', 'systemd'],
    ]);
  });
});
