import { readFileSync } from 'node:fs';

export type DatagramFixture =
  | 'task-failed'
  | 'task-aborted'
  | 'task-success'
  | 'task-distribute'
  | 'engine-reload-failed'
  | 'butler-drops';

/** The example datagrams of spec/fixtures/datagrams/<name>.txt, one per line, as sent. */
export function readDatagrams(name: DatagramFixture): string[] {
  const text = readFileSync(new URL(`../fixtures/datagrams/${name}.txt`, import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line !== '');
}
