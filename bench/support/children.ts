import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

/** Keeps `child` to be killed if the bench ends before it does, however the bench ends. */
export function track<C extends ChildProcess>(child: C): C {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs `cleanup` when the bench ends early; the returned function unregisters it. */
export function onEarlyExit(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Asks `child` to stop with SIGTERM, and kills it if it has not exited within `timeoutMs`. */
export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

function killEverything(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const cleanup of cleanups) cleanup();
  cleanups.clear();
}

/** Ctrl-C, SIGTERM or an unexpected exit leave no broker or relay running. */
export function cleanUpOnExit(): void {
  process.once('exit', killEverything);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every process the bench started`);
      killEverything();
      process.exit(130);
    });
  }
}
