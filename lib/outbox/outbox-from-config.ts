import { join } from 'node:path';
import envPaths from 'env-paths';
import type { RelayOutboxOptions } from '../config/types.js';
import { LevelOutboxStore } from './level-outbox-store.js';
import { MemoryOutboxStore } from './memory-outbox-store.js';
import type { OutboxStore } from './outbox-store.js';

/** The outbox store `Relay.outbox` asks for. */
export function outboxStoreFromConfig(options: RelayOutboxOptions): OutboxStore {
  if (options.store === 'memory') return new MemoryOutboxStore();
  return new LevelOutboxStore({
    directory: options.directory || defaultOutboxDirectory(),
    fsync: options.fsync,
    fsyncIntervalMs: options.fsyncIntervalMs,
  });
}

/**
 * The platform's place for an application's data (`~/.local/share` on Linux, `%LOCALAPPDATA%`
 * on Windows, `~/Library/Application Support` on macOS), so a relay started anywhere finds the
 * outbox it left.
 */
export function defaultOutboxDirectory(): string {
  return join(envPaths('sense-mqtt-relay', { suffix: '' }).data, 'outbox');
}
