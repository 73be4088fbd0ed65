import { EMPTY, catchError, defer, map, tap } from 'rxjs';
import {
  createEvent,
  definePipeline,
  licenseStatusOf,
  pollWithoutOverlap,
  scheduleAt,
  toLicenseMessages,
  type LicenseStatusEvent,
  type Pipeline,
  type RelayConfig,
} from '../lib/index.js';

const NAME = 'butler-license-monitor';

/**
 * Butler's server licence monitor: `GET /qrs/license` once at start-up and then on the
 * `frequency` schedule; the status JSON on `qlikSenseServerLicenseTopic` and, while the licence
 * has expired or is within `alert.thresholdDays`, a sentence on `qlikSenseServerLicenseExpireTopic`.
 *
 * Better than Butler: dates with a time part, negative days once expired, no "null days" alert,
 * `sendRecurring`/`sendAlert` honoured; a Repository Service that fails is logged, counted and
 * asked again at the next check, and checks never overlap.
 */
export function licenseMonitorPipeline(config: RelayConfig): Pipeline {
  const monitor = config.Butler.qlikSenseLicense.serverLicenseMonitor;
  const period = scheduleAt(
    'Butler.qlikSenseLicense.serverLicenseMonitor.frequency',
    monitor.frequency,
  );
  const mqtt = config.Butler.mqttConfig;

  return definePipeline({
    name: NAME,
    source: { type: 'timer', every: period },
    build(ticks, context) {
      const log = context.log.child({ component: 'license-monitor' });
      const check = () =>
        defer(() => context.repository.getLicense()).pipe(
          map((license): LicenseStatusEvent =>
            createEvent('license.status', 'qrs:license', licenseStatusOf(license, Date.now())),
          ),
          tap((event) => {
            const { daysUntilExpiry, expiryDateStr, licenseExpired } = event.data;
            context.metrics.licenseChecks.inc({ outcome: 'ok' });
            if (daysUntilExpiry === null) {
              context.metrics.licenseDaysUntilExpiry.reset();
              log.warn(
                { event: 'license-monitor.no-expiry-date', expiryDateStr },
                expiryDateStr === null
                  ? 'the server licence names no Valid To: date'
                  : `cannot read the server licence's Valid To: date ${JSON.stringify(expiryDateStr)}`,
              );
            } else {
              context.metrics.licenseDaysUntilExpiry.set(daysUntilExpiry);
            }
            log.debug(
              { event: 'license-monitor.checked', licenseExpired, expiryDateStr, daysUntilExpiry },
              'server licence checked',
            );
          }),
          catchError((error: unknown) => {
            context.metrics.licenseChecks.inc({ outcome: 'failed' });
            log.warn(
              { event: 'license-monitor.check-failed', err: error },
              `could not read the server licence; asking again at the next check: ${
                error instanceof Error ? error.message : String(error)
              }`,
            );
            return EMPTY;
          }),
        );
      return ticks.pipe(
        pollWithoutOverlap(check, {
          onOverrun: () => context.metrics.pollOverruns.inc({ pipeline: NAME }),
        }),
        toLicenseMessages({
          topics: {
            status: mqtt.qlikSenseServerLicenseTopic,
            expire: mqtt.qlikSenseServerLicenseExpireTopic,
          },
          thresholdDays: monitor.alert.thresholdDays,
          sendRecurring: monitor.destination.mqtt.sendRecurring.enable,
          sendAlert: monitor.destination.mqtt.sendAlert.enable,
        }),
      );
    },
  });
}
