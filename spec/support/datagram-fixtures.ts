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

const FIELD_NAMES = [
  'tag',
  'hostName',
  'taskName',
  'appName',
  'user',
  'taskId',
  'appId',
  'logTimeStamp',
  'logLevel',
  'executionId',
  'logMessage',
] as const;

/** The fields of a scheduler datagram by Butler's names. */
export type SchedulerFields = Record<(typeof FIELD_NAMES)[number], string>;

/** Splits a scheduler datagram by hand: the test's own reading, not the relay's parser. */
export function schedulerFields(datagram: string): SchedulerFields {
  const parts = datagram.split(';');
  if (parts.length < FIELD_NAMES.length) throw new Error(`not a scheduler datagram: ${datagram}`);
  // log4net does not escape ';', so anything past the tenth separator is the message.
  const values = [
    ...parts.slice(0, FIELD_NAMES.length - 1),
    parts.slice(FIELD_NAMES.length - 1).join(';'),
  ];
  return Object.fromEntries(FIELD_NAMES.map((name, i) => [name, values[i]])) as SchedulerFields;
}
