/**
 * The envelope every source emits and every pipeline step receives.
 * `kind` names what happened (`task.failed`, `timer.tick`, `mqtt.message`, …); `data` is its payload.
 */
export interface RelayEvent<Kind extends string = string, Data = unknown> {
  /** Stable id: the same event replayed or retried keeps it, so consumers can de-duplicate. */
  readonly id: string;
  readonly kind: Kind;
  /** Name of the source instance that produced it, e.g. `udp:tasks` or `timer:heartbeat`. */
  readonly source: string;
  /** Epoch milliseconds when the relay received or created it. */
  readonly receivedAt: number;
  readonly data: Data;
}

export type QoS = 0 | 1 | 2;

/** What a pipeline hands to a sink: one MQTT message to publish. */
export interface OutboundMessage {
  readonly topic: string;
  readonly payload: string | Buffer;
  /** Defaults to `Relay.publish.qos` (1). */
  readonly qos?: QoS;
  readonly retain?: boolean;
  /** Which broker to publish to; defaults to `main`. */
  readonly broker?: string;
  /** Id of the event this message came from; carried as an MQTT 5 user property. */
  readonly eventId?: string;
  /** MQTT 5 message expiry in seconds; 0 or absent means none. */
  readonly expirySeconds?: number;
}

/** Outcome of handing a message to a publisher. */
export type PublishOutcome =
  | { readonly status: 'delivered'; readonly latencyMs: number }
  | { readonly status: 'dropped'; readonly reason: DropReason }
  /** Still in the durable outbox when the relay stopped; the next start sends it. */
  | { readonly status: 'stored' };

/** Why a message or event was dropped. Every drop is counted under one of these. */
export type DropReason =
  | 'queue-full'
  | 'too-large'
  | 'expired'
  | 'rejected'
  | 'shutdown'
  | 'pipeline-error'
  /** An event already being processed, or processed within the de-duplication TTL. */
  | 'duplicate'
  /** UDP sender not in the allow-list. */
  | 'source-not-allowed'
  /** UDP datagrams over the per-minute limit. */
  | 'rate-limit'
  /** A datagram that is not a well-formed log-appender message. */
  | 'malformed'
  /** A datagram whose tag (field 0) is no known log-appender message type. */
  | 'unknown-type'
  /** Datagrams the kernel discarded because the socket's receive buffer was full. */
  | 'kernel-buffer'
  /** A retained command: acting on it would repeat it at every (re)subscribe. */
  | 'retained'
  /** A REST message for a topic outside `Relay.rest.allowedTopics`. */
  | 'topic-not-allowed'
  /** A message refused because its broker is not connected and nothing would keep it safe. */
  | 'not-connected'
  /** A Qlik Cloud event from a tenant other than the configured one. */
  | 'foreign-tenant'
  /** A proxy session event that would follow more users than `Relay.sessionEvents.maxTrackedUsers`. */
  | 'user-limit'
  /** A proxy session event that would follow more proxies than `Relay.sessionEvents.maxProxies`. */
  | 'proxy-limit';

let sequence = 0;
const bootId = Date.now().toString(36);

/** A process-unique, sortable event id: `<boot time>-<counter>`. Cheap on the hot path. */
export function nextEventId(): string {
  sequence += 1;
  return `${bootId}-${sequence.toString(36)}`;
}

export function createEvent<Kind extends string, Data>(
  kind: Kind,
  source: string,
  data: Data,
  id: string = nextEventId(),
): RelayEvent<Kind, Data> {
  return { id, kind, source, receivedAt: Date.now(), data };
}
