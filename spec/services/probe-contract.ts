import type { ServiceProbe } from '../../lib/sources/services/service-probe.js';
import { SERVICE_STATES } from '../../lib/sources/services/service-reading.js';
import { waitUntil } from '../support/wait-until.js';
import { isAlive } from './fake-commands.js';

/** A probe and a host whose services the test can start, stop, remove and make hang. */
export interface ProbeWorld {
  readonly probe: ServiceProbe;
  readonly host: string;
  /** A service the world controls. */
  readonly service: string;
  /** A service that does not exist on the host. */
  readonly missing: string;
  start(service: string): Promise<void>;
  stop(service: string): Promise<void>;
  /**
   * Makes reads of `service` block; `pid` resolves with the blocked process once it runs.
   * Undefined for a world that cannot make its service manager block (real systemd).
   */
  hang: ((service: string) => { pid(): Promise<number> }) | undefined;
  close(): Promise<void>;
}

const read = (world: ProbeWorld, service = world.service) =>
  world.probe.read(world.host, service, new AbortController().signal);

/**
 * What every ServiceProbe must do, run against each implementation (as MQTT.js runs one suite
 * against every store): report real state changes, refuse what it cannot read with an Error
 * rather than a made-up state, and stop its work when the signal aborts.
 */
export function probeContract(name: string, makeWorld: () => Promise<ProbeWorld>): void {
  describe(`the ${name} probe (contract)`, () => {
    let world: ProbeWorld;
    beforeEach(async () => {
      world = await makeWorld();
    });
    afterEach(async () => {
      await world.close();
    });

    it('reads RUNNING while the service runs, STOPPED once it stopped, RUNNING once it started again', async () => {
      await world.start(world.service);
      await expect(read(world)).resolves.toMatchObject({ state: 'RUNNING' });
      await world.stop(world.service);
      await expect(read(world)).resolves.toMatchObject({ state: 'STOPPED' });
      await world.start(world.service);
      await expect(read(world)).resolves.toMatchObject({ state: 'RUNNING' });
    });

    it('gives only known states, and details of the right types where it has them', async () => {
      await world.start(world.service);
      const reading = await read(world);
      expect(SERVICE_STATES).toContain(reading.state);
      for (const key of ['displayName', 'startType', 'exePath'] as const) {
        if (reading[key] !== undefined) expect(typeof reading[key]).toBe('string');
      }
      if (reading.dependencies !== undefined) {
        expect(reading.dependencies.every((d) => typeof d === 'string' && d !== '')).toBe(true);
      }
    });

    it('rejects with an Error for a service that does not exist', async () => {
      const failure = await read(world, world.missing).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).not.toBe('');
    });

    it('rejects at once when the signal is already aborted', async () => {
      await world.start(world.service);
      await expect(
        world.probe.read(world.host, world.service, AbortSignal.abort()),
      ).rejects.toBeInstanceOf(Error);
    });

    it('rejects and ends the process it started when the signal aborts', async () => {
      if (world.hang === undefined) return; // see ProbeWorld.hang
      const hung = world.hang(world.service);
      const abort = new AbortController();
      const reading = world.probe.read(world.host, world.service, abort.signal);
      const pid = await hung.pid();
      expect(isAlive(pid)).toBe(true);
      abort.abort();
      await expect(reading).rejects.toBeInstanceOf(Error);
      await waitUntil(() => !isAlive(pid), `process ${pid} to end`);
    });

    it('names the probe kind it is', () => {
      expect(world.probe.kind).toBe(name);
    });
  });
}
