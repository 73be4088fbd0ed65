import { describe, expect, it } from '@jest/globals';
import type { IPublishPacket, Packet } from 'mqtt';
import { OutgoingPacketStore } from '../../lib/mqtt/outgoing-packet-store.js';

const publish = (messageId: number): IPublishPacket => ({
  cmd: 'publish',
  topic: 'sense/task_failure',
  payload: `task ${messageId}`,
  qos: 1,
  dup: false,
  retain: false,
  messageId,
});

function lookUp(
  store: OutgoingPacketStore,
  how: 'get' | 'del',
  messageId: number,
): { error?: Error; packet?: Packet } {
  let answer: { error?: Error; packet?: Packet } = {};
  store[how]({ messageId }, (error, packet) => (answer = { error, packet }));
  return answer;
}

async function streamed(store: OutgoingPacketStore): Promise<Packet[]> {
  const packets: Packet[] = [];
  for await (const packet of store.createStream()) packets.push(packet as Packet);
  return packets;
}

describe('OutgoingPacketStore', () => {
  it('keeps a packet by message id until it is deleted, answering as MQTT.js expects', () => {
    const store = new OutgoingPacketStore();
    let stored = false;
    store.put(publish(7), () => (stored = true));

    expect(stored).toBe(true);
    expect(lookUp(store, 'get', 7).packet).toEqual(publish(7));
    expect(lookUp(store, 'del', 7).packet).toEqual(publish(7));
    expect(lookUp(store, 'get', 7).error?.message).toBe('missing packet');
    expect(lookUp(store, 'del', 7).error?.message).toBe('missing packet');
  });

  it('streams what it holds by message id, as MQTT.js reads it after a connect', async () => {
    const store = new OutgoingPacketStore();
    for (const id of [3, 1, 2]) store.put(publish(id), () => undefined);
    lookUp(store, 'del', 2);

    expect((await streamed(store)).map((packet) => packet.messageId)).toEqual([1, 3]);
  });

  it('is empty once closed', async () => {
    const store = new OutgoingPacketStore();
    store.put(publish(1), () => undefined);
    let closed = false;
    store.close(() => (closed = true));

    expect(closed).toBe(true);
    expect(await streamed(store)).toEqual([]);
  });
});
