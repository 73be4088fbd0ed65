import type { OverflowPolicy } from '../actors/bounded-queue.js';
import type { QoS } from '../events.js';

/** How messages are published; mirrors `Relay.publish`. */
export interface PublishOptions {
  /** Used when a message names none. */
  qos: QoS;
  /** Messages awaiting the broker's acknowledgement at once, per publisher (broker + topic). */
  inFlight: number;
  /** MQTT 5 message expiry when a message names none; 0 means none. */
  messageExpirySeconds: number;
  queue: {
    maxMessages: number;
    /** Payload bytes held while waiting; a larger single message is dropped as `too-large`. */
    maxBytes: number;
    overflow: OverflowPolicy;
  };
  /** Back-off between attempts of a publish that failed for a transient reason. */
  retry: { initialDelayMs: number; maxDelayMs: number };
}
