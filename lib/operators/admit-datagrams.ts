import { defer, filter, finalize, from, switchMap, type MonoTypeOperatorFunction } from 'rxjs';
import type { Logger } from '../log/logger.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { ThrottledDropReporter } from '../metrics/throttled-drop-reporter.js';
import type { UdpSourceEvent } from '../sources/udp.js';
import {
  allowedSourcesLoader,
  systemResolver,
  type AllowedSources,
  type HostResolver,
} from './allowed-sources.js';
import { IngressChecks } from './ingress-checks.js';

/** Butler's `udpServerConfig` ingress keys; each is optional with Butler's default. */
export interface AdmitDatagramsOptions {
  /** Default false. */
  readonly enableSourceValidation?: boolean;
  /** IP literals or host names (resolved once, A and AAAA records). Default none. */
  readonly allowedSources?: readonly string[];
  /** Largest datagram in bytes; default 65507, a non-finite value means no limit. */
  readonly maxMessageSize?: number;
  /** Default off, 600 per minute. */
  readonly rateLimit?: { readonly enable: boolean; readonly maxMessagesPerMinute: number };
}

export interface AdmitDatagramsDeps {
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Clock for the rate window and the warning throttle; defaults to `Date.now`. */
  readonly now?: () => number;
  /** Defaults to the system DNS resolver. */
  readonly resolver?: HostResolver;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 65507;

/**
 * Butler's ingress checks on `udp.datagram` events, in its order: sender allow-list, size, rate.
 * Listening and error events pass untouched. Every drop is counted by reason and reported in a
 * throttled warning. Allowed host names are resolved once, on the first subscription; the source
 * is subscribed only then, so no datagram is judged against a half-built list.
 */
export function admitDatagrams(
  options: AdmitDatagramsOptions,
  deps: AdmitDatagramsDeps,
): MonoTypeOperatorFunction<UdpSourceEvent> {
  const log = deps.log.child({ component: 'udp-ingress' });
  const now = deps.now ?? Date.now;
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const maxMessagesPerMinute = options.rateLimit?.enable
    ? options.rateLimit.maxMessagesPerMinute
    : undefined;
  if (maxMessagesPerMinute !== undefined && !(maxMessagesPerMinute >= 1)) {
    throw new RangeError(
      `rateLimit.maxMessagesPerMinute must be at least 1, got ${maxMessagesPerMinute}`,
    );
  }
  const allowList = allowedSourcesLoader(
    options.enableSourceValidation ? (options.allowedSources ?? []) : undefined,
    deps.resolver ?? systemResolver,
    log,
  );

  return (source) => {
    // Fresh rate window and warning throttle for every subscription, as RxJS operators keep state.
    const admitWith = (allowedSources: AllowedSources | undefined) =>
      defer(() => {
        const drops = new ThrottledDropReporter({ log, metrics: deps.metrics, now });
        const limits = { allowedSources, maxMessageSize, maxMessagesPerMinute };
        const checks = new IngressChecks(limits, drops, now);
        return source.pipe(
          filter((event) => event.kind !== 'udp.datagram' || checks.admit(event)),
          finalize(() => drops.flush()),
        );
      });
    const ready = allowList.current();
    return ready === 'pending'
      ? from(allowList.load()).pipe(switchMap(admitWith))
      : admitWith(ready);
  };
}
