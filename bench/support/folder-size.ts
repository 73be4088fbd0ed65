import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from './time.js';

export interface FolderSizeSampler {
  /** Takes a last sample; resolves with the largest size seen, in bytes. Idempotent. */
  stop(): Promise<number>;
}

/**
 * Samples the total size of the files directly in `folder` every `intervalMs` (a peak between
 * two samples goes unseen). Files that vanish while being counted (compaction) count as 0.
 */
export function sampleFolderSize(folder: string, intervalMs: number): FolderSizeSampler {
  let peak = 0;
  let stopped = false;
  const sampleOnce = async (): Promise<void> => {
    peak = Math.max(peak, await folderBytes(folder));
  };
  const loop = (async () => {
    while (!stopped) {
      await sampleOnce();
      await sleep(intervalMs);
    }
  })();
  let stopping: Promise<number> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        await loop;
        await sampleOnce();
        return peak;
      })();
      return stopping;
    },
  };
}

async function folderBytes(folder: string): Promise<number> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const sizes = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map((entry) =>
        stat(join(folder, entry.name)).then(
          (stats) => stats.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
