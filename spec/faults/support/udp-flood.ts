import { Worker } from 'node:worker_threads';

/**
 * The sender runs in a worker thread: the test's own event loop stays free, so a health probe's
 * measured time is the relay's answer time, not the sender's.
 */
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createSocket } = require('node:dgram');
const { port, datagrams, perSecond } = workerData;
const socket = createSocket('udp4');
const started = Date.now();
let next = 0;
let acknowledged = 0;
let failed;
const finish = () => {
  socket.close();
  parentPort.postMessage({ sent: acknowledged, error: failed });
};
const onSent = (error) => {
  if (error && failed === undefined) failed = String(error);
  acknowledged += 1;
  if (acknowledged === datagrams.length) finish();
};
const tick = () => {
  const due = Math.min(datagrams.length, Math.ceil(((Date.now() - started + 5) * perSecond) / 1000));
  while (next < due) socket.send(datagrams[next++], port, '127.0.0.1', onSent);
  if (next < datagrams.length) setTimeout(tick, 5);
};
if (datagrams.length === 0) finish();
else tick();
`;

/**
 * Sends `datagrams` to a UDP port on 127.0.0.1 at `perSecond`, from a worker thread; resolves
 * with how many were sent once all have left.
 */
export async function floodUdp(
  port: number,
  datagrams: readonly (string | Buffer)[],
  perSecond: number,
): Promise<number> {
  const worker = new Worker(SENDER, {
    eval: true,
    workerData: { port, perSecond, datagrams: datagrams.map((d) => Buffer.from(d)) },
  });
  try {
    const result = await new Promise<{ sent: number; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (result.error !== undefined) throw new Error(`the flood could not send: ${result.error}`);
    return result.sent;
  } finally {
    await worker.terminate();
  }
}
