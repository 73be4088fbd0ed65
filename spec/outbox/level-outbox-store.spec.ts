import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ClassicLevel } from 'classic-level';
import { encodeRecord, encodeSequence } from '../../lib/outbox/outbox-record-codec.js';
import { LevelOutboxStore, type FsyncPolicy } from '../../lib/outbox/level-outbox-store.js';
import { OutboxError, type OutboxRecord } from '../../lib/outbox/outbox-store.js';
import { describeOutboxStore } from './outbox-store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'level-outbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const newDirectory = (): string => join(root, `outbox-${(folders += 1)}`);

for (const fsync of ['always', 'interval'] as const) {
  describeOutboxStore(`LevelOutboxStore, fsync ${fsync}`, () => {
    const directory = newDirectory();
    const make = (): LevelOutboxStore =>
      new LevelOutboxStore({ directory, fsync, fsyncIntervalMs: 50 });
    return { store: make(), reopen: make };
  });
}

const record = (sequence: number): OutboxRecord => ({
  sequence,
  message: {
    topic: 'qliksense/task_failure',
    payload: `Reload ${sequence}`,
    eventId: `e${sequence}`,
  },
  acceptedAt: Date.now(),
});

/** Writes raw entries into a closed outbox, as damage on disk would leave them. */
async function writeRaw(directory: string, entries: [Buffer, Buffer][]): Promise<void> {
  const db = new ClassicLevel<Buffer, Buffer>(directory, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
  });
  await db.open();
  await db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })));
  await db.close();
}

async function storeWith(directory: string, records: OutboxRecord[]): Promise<void> {
  const store = new LevelOutboxStore({ directory, fsync: 'always', fsyncIntervalMs: 1000 });
  await store.open();
  for (const r of records) await store.append(r);
  await store.close();
}

const openStore = (directory: string): LevelOutboxStore =>
  new LevelOutboxStore({ directory, fsync: 'always', fsyncIntervalMs: 1000 });

describe('LevelOutboxStore on damaged data', () => {
  it('skips, describes and removes records that fail their checksum or cannot be read', async () => {
    const directory = newDirectory();
    await storeWith(directory, [record(1), record(2), record(5)]);
    const flipped = encodeRecord(record(3));
    const last = flipped.length - 1;
    flipped.writeUInt8(flipped.readUInt8(last) ^ 0xff, last); // the payload's last byte rots
    await writeRaw(directory, [
      [encodeSequence(3), flipped],
      [encodeSequence(4), Buffer.from([1, 2, 3])], // cut short
      [Buffer.from('stray'), Buffer.from('x')], // not a record key at all
    ]);

    const store = openStore(directory);
    const { records, corrupt } = await store.open();
    await store.close();
    expect(records.map((r) => r.sequence)).toEqual([1, 2, 5]);
    expect(corrupt).toEqual([
      { key: encodeSequence(3).toString('hex'), problem: 'checksum mismatch' },
      { key: encodeSequence(4).toString('hex'), problem: 'only 3 bytes' },
      { key: Buffer.from('stray').toString('hex'), problem: 'not a record key' },
    ]);

    const again = openStore(directory);
    await expect(again.open()).resolves.toMatchObject({ corrupt: [] }); // removed the first time
    await again.close();
  });

  it('opens after a write torn at the end of its log, keeping every whole record', async () => {
    const directory = newDirectory();
    const records = Array.from({ length: 20 }, (_, i) => record(i + 1));
    await storeWith(directory, records);
    const log = readdirSync(directory).find((file) => file.endsWith('.log'));
    if (log === undefined) throw new Error('no LevelDB log file');
    const logFile = join(directory, log);
    truncateSync(logFile, statSync(logFile).size - 7); // the last write stops mid-record

    const store = openStore(directory);
    const contents = await store.open();
    await store.close();
    const sequences = contents.records.map((r) => r.sequence);
    expect(sequences.length).toBeGreaterThanOrEqual(19);
    expect(sequences).toEqual(records.slice(0, sequences.length).map((r) => r.sequence));
    expect(contents.records).toEqual(records.slice(0, sequences.length));
  });
});

describe('LevelOutboxStore problems at open', () => {
  it('refuses a second store on the same folder, naming the cause', async () => {
    const directory = newDirectory();
    const first = openStore(directory);
    await first.open();
    try {
      const second = openStore(directory);
      const failure = second.open();
      await expect(failure).rejects.toBeInstanceOf(OutboxError);
      await expect(failure).rejects.toThrow(/in use by another process/);
    } finally {
      await first.close();
    }
  });

  it('says which folder it could not open', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    const store = openStore(join(file, 'outbox'));
    await expect(store.open()).rejects.toThrow(
      `could not open the outbox in ${join(file, 'outbox')}`,
    );
  });
});

describe('LevelOutboxStore across a crash', () => {
  const script = (directory: string, fsync: FsyncPolicy): string => `
    import { LevelOutboxStore } from ${JSON.stringify(new URL('../../dist/lib/outbox/level-outbox-store.js', import.meta.url).href)};
    const store = new LevelOutboxStore({ directory: ${JSON.stringify(directory)}, fsync: '${fsync}', fsyncIntervalMs: 60000 });
    await store.open();
    const appends = [];
    for (let sequence = 1; sequence <= 500; sequence++) {
      appends.push(store.append({ sequence, message: { topic: 't', payload: 'm' + sequence }, acceptedAt: Date.now() }));
    }
    await Promise.all(appends);
    await Promise.all([1, 2, 3].map((sequence) => store.remove(sequence)));
    process.kill(process.pid, 'SIGKILL'); // no close, no final sync
  `;

  for (const fsync of ['always', 'interval'] as const) {
    it(`keeps every resolved append when the process is killed (fsync ${fsync})`, async () => {
      const directory = newDirectory();
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', script(directory, fsync)],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      expect({ signal, stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });

      const store = openStore(directory);
      const { records, corrupt } = await store.open();
      await store.close();
      expect(corrupt).toEqual([]);
      expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: 497 }, (_, i) => i + 4));
    });
  }
});
