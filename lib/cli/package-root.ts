import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of this package's package.json, found upward from this file (works from dist/ and from lib/). */
export function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && readManifest(manifest).name === 'sense-mqtt-relay') return folder;
    const parent = dirname(folder);
    if (parent === folder) throw new Error('cannot find the sense-mqtt-relay package folder');
    folder = parent;
  }
}

export function packageVersion(): string {
  return readManifest(join(packageRoot(), 'package.json')).version ?? '0.0.0';
}

/** The config the relay runs on when no --config is given. */
export function defaultConfigFile(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

function readManifest(file: string): { name?: string; version?: string } {
  return JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
}
