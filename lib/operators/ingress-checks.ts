import type { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import type { DatagramEvent } from '../qlik/log-appender-events.js';
import type { AllowedSources } from './allowed-sources.js';
import { FixedWindowLimit } from './fixed-window-limit.js';
import { formatSender } from './format-sender.js';

export interface IngressLimits {
  /** Undefined when every sender is allowed (no source validation). */
  readonly allowedSources: AllowedSources | undefined;
  /** Bytes; a non-finite value means no limit. */
  readonly maxMessageSize: number;
  /** Undefined: no rate limit. */
  readonly maxMessagesPerMinute: number | undefined;
}

type IngressDropReason = 'source-not-allowed' | 'too-large' | 'rate-limit';

const RATE_WINDOW_MS = 60_000;

/** Butler's checks on one datagram, in its order; holds the rate window of one stream. */
export class IngressChecks {
  private readonly rate: FixedWindowLimit | undefined;

  constructor(
    private readonly limits: IngressLimits,
    private readonly drops: ThrottledDropReporter,
    now: () => number,
  ) {
    const max = limits.maxMessagesPerMinute;
    this.rate = max === undefined ? undefined : new FixedWindowLimit(max, RATE_WINDOW_MS, now);
  }

  /** True to let the datagram on; false when it was dropped (and counted). */
  admit(datagram: DatagramEvent): boolean {
    const rejection = this.rejection(datagram);
    if (rejection === undefined) return true;
    const [reason, detail] = rejection;
    const { sender, listener } = datagram.data;
    this.drops.report({
      component: `udp:${listener}`,
      reason,
      sender: formatSender(sender),
      detail,
    });
    return false;
  }

  private rejection({ data }: DatagramEvent): [IngressDropReason, string] | undefined {
    const { allowedSources, maxMessageSize, maxMessagesPerMinute } = this.limits;
    if (allowedSources && !allowedSources.has(data.sender.address)) {
      return ['source-not-allowed', `${data.sender.address} is not an allowed source`];
    }
    if (Number.isFinite(maxMessageSize) && data.bytes.length > maxMessageSize) {
      const size = data.bytes.length;
      return ['too-large', `datagram of ${size} bytes exceeds maxMessageSize ${maxMessageSize}`];
    }
    // Counts every datagram that got this far, valid or not, as Butler does.
    if (this.rate && !this.rate.admit()) {
      return ['rate-limit', `more than ${maxMessagesPerMinute} datagrams in one minute`];
    }
    return undefined;
  }
}
