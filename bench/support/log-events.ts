import type { Readable } from 'node:stream';

/**
 * Watches a child's JSON-lines stdout for records whose `event` is one of `events` and calls
 * `seen` once per name with the arrival time. Other lines are skipped without parsing, so a
 * chatty process costs the bench little.
 */
export function watchLogEvents(
  stdout: Readable,
  events: readonly string[],
  seen: (event: string, line: string) => void,
): void {
  const pending = new Set(events);
  let buffered = '';
  stdout.on('data', (chunk: Buffer) => {
    if (pending.size === 0) return; // keep reading so the child never blocks on a full pipe
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      for (const event of pending) {
        if (!line.includes(`"event":"${event}"`)) continue;
        pending.delete(event);
        seen(event, line);
      }
    }
    if (pending.size === 0) buffered = '';
  });
}
