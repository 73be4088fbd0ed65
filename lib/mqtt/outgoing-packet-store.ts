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

  get(packet: Pick<Packet, 'messageId'>, found: PacketCallback): this {
    const stored = packet.messageId === undefined ? undefined : this.packets.get(packet.messageId);
    if (stored === undefined) found?.(new Error('missing packet'));
    else found?.(undefined, stored);
    return this;
  }

  del(packet: Pick<Packet, 'messageId'>, deleted: PacketCallback): this {
    const stored = packet.messageId === undefined ? undefined : this.packets.get(packet.messageId);
    if (stored === undefined) {
      deleted?.(new Error('missing packet'));
    } else {
      this.packets.delete(packet.messageId as number);
      deleted?.(undefined, stored);
    }
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
