import { filter, ignoreElements, merge, tap, type Observable } from 'rxjs';
import {
  checkServices,
  definePipeline,
  findMissingServices,
  pollWithoutOverlap,
  scheduleAt,
  servicesFromConfig,
  toServiceMessages,
  trackServiceStatus,
  type OutboundMessage,
  type Pipeline,
  type PipelineContext,
  type RelayConfig,
  type ServiceStatusEvent,
  type ServicesFromConfigOptions,
} from '../lib/index.js';

const NAME = 'butler-service-monitor';

/**
 * Butler's Windows service monitor: every service of `Butler.serviceMonitor.monitor` is read on
 * the `frequency` schedule (first right away) by its host's probe, and published as Butler does:
 * a status message at every check, a running or stopped message when the state changed.
 *
 * Better than Butler: polls never overlap (an overrun is counted and delays the next poll), every
 * probe call has a time-out, a failed read is published as UNKNOWN and logged instead of hanging
 * or vanishing, the status message is retained, and pending and paused states are kept in
 * `relay_serviceState` while `serviceStatus` keeps Butler's two values.
 */
export function serviceMonitorPipeline(
  config: RelayConfig,
  options: ServicesFromConfigOptions = {},
): Pipeline {
  const period = scheduleAt(
    'Butler.serviceMonitor.frequency',
    config.Butler.serviceMonitor.frequency,
  );
  const services = servicesFromConfig(config, options); // config errors fail the start-up
  const relay = config.Relay.serviceMonitor;
  const mqtt = config.Butler.mqttConfig;

  return definePipeline({
    name: NAME,
    source: { type: 'timer', every: period },
    build(ticks, context) {
      const log = context.log.child({ component: 'service-monitor' });
      if (services.length === 0) {
        log.warn(
          { event: 'service-monitor.nothing-to-watch' },
          'Butler.serviceMonitor is enabled but its monitor list names no services',
        );
        return ticks.pipe(ignoreElements());
      }
      const failing = new Set<string>();
      const statuses = ticks.pipe(
        pollWithoutOverlap(
          () =>
            checkServices(services, {
              timeoutMs: relay.timeoutMs,
              maxConcurrent: relay.maxConcurrent,
            }),
          {
            onOverrun: () => {
              context.metrics.pollOverruns.inc({ pipeline: NAME });
              log.warn(
                { event: 'service-monitor.overrun', periodMs: period },
                'the previous service check is still running; the next one waits for it',
              );
            },
          },
        ),
        tap((event) => {
          const { probe, error } = event.data;
          context.metrics.serviceProbeCalls.inc({
            probe,
            outcome: error === undefined ? 'ok' : 'failed',
          });
        }),
        trackServiceStatus(),
        tap((event) => report(event, failing, log)),
      );
      return merge(
        reportMissing(context, log),
        statuses.pipe(
          toServiceMessages({
            topics: {
              running: mqtt.serviceRunningTopic,
              stopped: mqtt.serviceStoppedTopic,
              status: mqtt.serviceStatusTopic,
            },
            retainStatus: relay.retainStatus,
            relayFields: relay.relayFields,
          }),
        ),
      );
    },
  });

  /** Logs the configured services a host lacks, once at start-up. */
  function reportMissing(
    context: PipelineContext,
    log: PipelineContext['log'],
  ): Observable<OutboundMessage> {
    return findMissingServices(services, relay.timeoutMs).pipe(
      filter((found) => !('missing' in found) || found.missing.length > 0),
      tap((found) => {
        if ('missing' in found) {
          log.warn(
            { event: 'service-monitor.not-installed', host: found.host, services: found.missing },
            `${found.host} has no service named ${found.missing.join(', ')}; it will show as UNKNOWN`,
          );
        } else {
          log.debug(
            { event: 'service-monitor.list-failed', host: found.host, reason: found.error },
            `could not list the services of ${found.host}: ${found.error}`,
          );
        }
      }),
      ignoreElements(),
    );
  }
}

/** A failure is a warning when it starts and a note when it ends, not a line at every poll. */
function report(
  event: ServiceStatusEvent,
  failing: Set<string>,
  log: PipelineContext['log'],
): void {
  const service = event.data;
  const key = `${service.host}/${service.name}`;
  const fields = { host: service.host, service: service.name, probe: service.probe };
  if (service.error !== undefined) {
    const first = !failing.has(key);
    failing.add(key);
    const record = { event: 'service-monitor.probe-failed', ...fields, reason: service.error };
    const line = `cannot read ${key}, reported as UNKNOWN: ${service.error}`;
    if (first) log.warn(record, line);
    else log.debug(record, line);
    return;
  }
  if (failing.delete(key)) {
    log.info({ event: 'service-monitor.probe-recovered', ...fields }, `${key} can be read again`);
  }
  if (service.changed) {
    log.info(
      {
        event: 'service-monitor.changed',
        ...fields,
        from: service.previous,
        to: service.status,
        state: service.state,
      },
      `${key} is now ${service.state} (was ${service.previous})`,
    );
  }
}
