import { Readable } from 'node:stream';
import type { IStore, Packet } from 'mqtt';
import { ShortLivedMap } from '../hot-path/short-lived-map.js';

type PacketStream = ReturnType<IStore['createStream']>;
type DoneCallback = Parameters<IStore['put']>[1];
type PacketCallback = Parameters<IStore['get']>[1];

/**
 * Where MQTT.js keeps each QoS 1/2 publish until the broker acknowledges it: its own store, but
 * with the packets in a `ShortLivedMap` rather than a `Map`, which under load carried every
 * in-flight packet, and what it referenced, into the old generation.
 *
 * A connection gets a fresh one for every connect (see `BrokerConnection`), so MQTT.js never
 * resends from an earlier connection's store; the relay's publishers retry instead.
 */
export class OutgoingPacketStore implements IStore {
  private readonly packets = new ShortLivedMap<number, Packet>();

  put(packet: Packet, done: DoneCallback): this {
    if (packet.messageId !== undefined) this.packets.set(packet.messageId, packet);
    done?.();
    return this;
  }

  get({ messageId }: Pick<Packet, 'messageId'>, found: PacketCallback): this {
    answer(found, messageId === undefined ? undefined : this.packets.get(messageId));
    return this;
  }

  del({ messageId }: Pick<Packet, 'messageId'>, deleted: PacketCallback): this {
    const stored = messageId === undefined ? undefined : this.packets.get(messageId);
    if (messageId !== undefined) this.packets.delete(messageId);
    answer(deleted, stored);
    return this;
  }

  /** The stored packets, by ascending message id, as MQTT.js reads them after a connect. */
  createStream(): PacketStream {
    // MQTT.js types this as readable-stream's Readable, which is Node's own stream API; MQTT.js
    // only reads from it, listens for `readable`, `end` and `error`, and destroys it.
    return Readable.from(this.packets.values(), { objectMode: true }) as unknown as PacketStream;
  }

  close(done: DoneCallback): void {
    this.packets.clear();
    done?.();
  }
}

/** MQTT.js's answer to a lookup: the packet, or the error its own store gives for none. */
function answer(callback: PacketCallback, stored: Packet | undefined): void {
  if (stored === undefined) callback?.(new Error('missing packet'));
  else callback?.(undefined, stored);
}
