import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OutboundMessage } from '../events.js';
import type { LicenseStatus, LicenseStatusEvent } from '../qrs/license-status.js';

export interface LicenseMessageOptions {
  readonly topics: {
    /** `Butler.mqttConfig.qlikSenseServerLicenseTopic`: the JSON at every check. */
    readonly status: string;
    /** `Butler.mqttConfig.qlikSenseServerLicenseExpireTopic`: the plain-text alert. */
    readonly expire: string;
  };
  /** Alert when this many days or fewer are left. */
  readonly thresholdDays: number;
  /** `destination.mqtt.sendRecurring.enable`, which Butler ignores. */
  readonly sendRecurring: boolean;
  /** `destination.mqtt.sendAlert.enable`, which Butler ignores. */
  readonly sendAlert: boolean;
}

/**
 * Butler's licence messages (facts 7.3): the status JSON, then the expired or about-to-expire
 * sentence while the condition holds. A licence whose date has passed is reported expired even
 * if the Repository Service has not flagged it yet; without a known date no "about to expire"
 * alert is made up.
 */
export function toLicenseMessages(
  options: LicenseMessageOptions,
): OperatorFunction<LicenseStatusEvent, OutboundMessage> {
  return mergeMap((event) => {
    const license = event.data;
    const messages: OutboundMessage[] = [];
    if (options.sendRecurring) {
      messages.push({
        topic: options.topics.status,
        payload: JSON.stringify({
          licenseExpired: license.licenseExpired,
          expiryDateStr: license.expiryDateStr,
          daysUntilExpiry: license.daysUntilExpiry,
        }),
        eventId: event.id,
      });
    }
    const alert = options.sendAlert ? alertText(license, options.thresholdDays) : undefined;
    if (alert !== undefined) {
      messages.push({ topic: options.topics.expire, payload: alert, eventId: event.id });
    }
    return messages;
  });
}

function alertText(license: LicenseStatus, thresholdDays: number): string | undefined {
  const days = license.daysUntilExpiry;
  if (license.licenseExpired || (days !== null && days < 0)) {
    return license.expiryDateStr === null
      ? 'Qlik Sense server license expired'
      : `Qlik Sense server license expired on ${license.expiryDateStr}`;
  }
  if (days !== null && days <= thresholdDays) {
    return `Qlik Sense server license is about to expire in ${days} days, on ${license.expiryDateStr}`;
  }
  return undefined;
}
