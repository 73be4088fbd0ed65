export interface BrokerHealth {
  connected: boolean;
}

export interface PipelineHealth {
  running: boolean;
}

/** What `/healthz` reports: the verdict and the state behind it, by broker and pipeline name. */
export interface HealthReport {
  healthy: boolean;
  brokers: Record<string, BrokerHealth>;
  pipelines: Record<string, PipelineHealth>;
}

/** Healthy when every broker is connected and every pipeline runs; none at all is healthy. */
export function assessHealth(
  brokers: Record<string, BrokerHealth>,
  pipelines: Record<string, PipelineHealth>,
): HealthReport {
  const healthy =
    Object.values(brokers).every((broker) => broker.connected) &&
    Object.values(pipelines).every((pipeline) => pipeline.running);
  return { healthy, brokers, pipelines };
}
