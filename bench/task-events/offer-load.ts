import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { LoadSpec } from '../settings.js';
import { sleep } from '../support/time.js';
import { failedReloadDatagram } from './datagram.js';

export interface OfferResult {
  readonly sendErrors: number;
  /** `performance.now()` of the first and last send. */
  readonly startedAt: number;
  readonly endedAt: number;
}

const TICK_MS = 2;
/** Datagrams sent per turn of the event loop in a burst, so the bench still reads its messages. */
const BURST_CHUNK = 500;

/** Sends the load's datagrams to 127.0.0.1:`port`, at its rate or as a burst. */
export async function offerLoad(
  socket: Socket,
  port: number,
  load: LoadSpec,
  loadId: number,
): Promise<OfferResult> {
  let sendErrors = 0;
  let pending = 0;
  const sendOne = (seq: number, logTime: Date): void => {
    const datagram = failedReloadDatagram({ loadId, seq, sentAt: performance.now() }, logTime);
    pending += 1;
    socket.send(datagram, port, '127.0.0.1', (error) => {
      pending -= 1;
      if (error) sendErrors += 1;
    });
  };

  const startedAt = performance.now();
  let next = 0;
  while (next < load.events) {
    const due =
      load.ratePerSecond === undefined
        ? Math.min(load.events, next + BURST_CHUNK)
        : Math.min(
            load.events,
            Math.floor(((performance.now() - startedAt) / 1000) * load.ratePerSecond) + 1,
          );
    const logTime = new Date();
    for (; next < due; next += 1) sendOne(next, logTime);
    if (load.ratePerSecond === undefined) await new Promise((resolve) => setImmediate(resolve));
    else await sleep(TICK_MS);
  }
  const endedAt = performance.now();
  while (pending > 0) await sleep(1);
  return { sendErrors, startedAt, endedAt };
}
