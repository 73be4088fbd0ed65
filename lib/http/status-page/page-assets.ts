import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../cli/package-root.js';

export interface PageAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The status page's files in the package's `web/` folder, by the path they are served at. */
const ASSETS: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/': { file: 'status-page.html', contentType: 'text/html; charset=utf-8' },
  '/status-page.js': { file: 'status-page.js', contentType: 'text/javascript; charset=utf-8' },
  '/status-page.css': { file: 'status-page.css', contentType: 'text/css; charset=utf-8' },
};

export const PAGE_ASSET_PATHS: readonly string[] = Object.keys(ASSETS);

/**
 * Serves the page's static files, each read from disk on its first request and kept: a relay
 * nobody looks at never reads them.
 */
export function pageAssets(
  folder: string = join(packageRoot(), 'web'),
): (path: string) => Promise<PageAsset> {
  const loaded = new Map<string, Promise<PageAsset>>();
  return (path) => {
    const asset = Object.hasOwn(ASSETS, path) ? ASSETS[path] : undefined;
    if (asset === undefined) return Promise.reject(new Error(`no page asset at ${path}`));
    let found = loaded.get(path);
    if (found === undefined) {
      found = readFile(join(folder, asset.file)).then((body) => ({
        body,
        contentType: asset.contentType,
      }));
      // A failed read is tried again next time rather than remembered.
      found.catch(() => loaded.delete(path));
      loaded.set(path, found);
    }
    return found;
  };
}
