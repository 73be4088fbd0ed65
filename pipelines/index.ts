import type { Pipeline, RelayConfig } from '../lib/index.js';
import { cloudReloadEventsPipeline } from './cloud-reload-events.js';
import { licenseMonitorPipeline } from './license-monitor.js';
import { serviceMonitorPipeline } from './service-monitor.js';
import { startTaskPipeline } from './start-task.js';
import { taskEventsPipeline } from './task-events.js';
import { userSessionsPipeline } from './user-sessions.js';

/**
 * The Butler-compatible pipelines, derived from `Butler.*` keys so that a Butler config needs no
 * pipeline section. Each lives in its own file and uses only the public API of lib/index.ts.
 */
export function builtinPipelines(config: RelayConfig): Pipeline[] {
  const pipelines: Pipeline[] = [];
  if (config.Butler.udpServerConfig.enable) pipelines.push(taskEventsPipeline(config));
  // Off unless switched on: a Butler 7+ config has no session port and must not open one.
  if (config.Relay.sessionEvents.enable) pipelines.push(userSessionsPipeline(config));
  const services = config.Butler.serviceMonitor;
  if (services.enable && services.alertDestination.mqtt.enable) {
    pipelines.push(serviceMonitorPipeline(config));
  }
  const license = config.Butler.qlikSenseLicense.serverLicenseMonitor;
  if (license.enable && license.destination.mqtt.enable) {
    pipelines.push(licenseMonitorPipeline(config));
  }
  const forward = config.Butler.mqttConfig.qlikSenseCloud.event.mqttForward;
  // Butler opens the forward broker only with the main one; without it no event can arrive.
  if (config.Butler.mqttConfig.enable && forward.enable && config.Relay.cloudEvents.enable) {
    pipelines.push(cloudReloadEventsPipeline(config));
  }
  // Butler subscribes for start commands whenever the main broker is enabled.
  if (config.Butler.mqttConfig.enable) pipelines.push(startTaskPipeline(config));
  return pipelines;
}
