import type { PublishRun } from '../phases/publish-run.js';
import type { LoadFigures } from '../task-events/measure-load.js';
import type { BenchSummary, LoadSummary, Medians } from './summary.js';
import { cell, markdownTable, textTable, type Row } from './table.js';

interface Section {
  readonly title: string;
  readonly header: Row;
  readonly rows: readonly Row[];
  readonly notes?: readonly string[];
}

export function renderText(summary: BenchSummary): string {
  const parts = sections(summary).map((section) =>
    [section.title, textTable(section.header, section.rows), ...(section.notes ?? [])].join('\n'),
  );
  const problems = summary.problems.map((problem) => `  - ${problem}`);
  return [machineLine(summary), '', parts.join('\n\n'), ...section('Problems:', problems)].join(
    '\n',
  );
}

export function renderMarkdown(summary: BenchSummary): string {
  const parts = sections(summary).map((section) =>
    [
      `## ${section.title}`,
      '',
      markdownTable(section.header, section.rows),
      ...(section.notes?.length ? ['', ...section.notes.map((note) => `- ${note}`)] : []),
    ].join('\n'),
  );
  return [
    '# sense-mqtt-relay bench',
    '',
    machineLine(summary),
    '',
    'Produced by `npm run bench`; every figure is the median of the repetitions that completed.',
    '',
    parts.join('\n\n'),
    ...section(
      '## Problems\n',
      summary.problems.map((problem) => `- ${problem}`),
    ),
    '',
  ].join('\n');
}

function machineLine({ machine, durationSeconds }: BenchSummary): string {
  return (
    `${machine.date} · ${machine.nproc} CPU (${machine.cpuModel}) · ${machine.memoryGiB} GiB · ` +
    `Node ${machine.node} · ${machine.platform} · bench took ${cell(durationSeconds)} s · ` +
    `before it the machine was ${cell(machine.busyBeforePercent)} % busy (load average ${machine.loadAverage1m})`
  );
}

/** A titled block after a blank line, or nothing when there are no lines. */
function section(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['', title, ...lines];
}

function sections(summary: BenchSummary): Section[] {
  const list = [publishingSection(summary)];
  if (summary.taskEvents) {
    list.push(taskEventsSection(summary), processSection(summary), dropsSection(summary));
  }
  return list;
}

function publishingSection({ publishing, settings }: BenchSummary): Section {
  const spec = settings.publish;
  const row = (
    name: string,
    figures: Medians<PublishRun>,
    runs: number,
    ratios: readonly [Row[number], Row[number]] = ['', ''],
    peak = '',
  ): Row => [
    name,
    cell(figures.msgsPerSecond),
    ...ratios,
    cell(figures.acked),
    cell(figures.failed),
    cell(figures.received),
    cell(figures.seconds, 2),
    peak,
    String(runs),
  ];
  const { ceiling, relay } = publishing;
  return {
    title: `Publishing ${cell(spec.messages)} messages of ${spec.payloadBytes} B at QoS 1 to one topic`,
    header: [
      '',
      'msgs/s',
      '/ ceiling',
      '/ memory',
      'acked',
      'failed',
      'received',
      'seconds',
      'outbox peak MiB',
      'runs',
    ],
    rows: [
      row(`broker ceiling (MQTT.js, ${spec.window} in flight)`, ceiling.figures, ceiling.runs),
      ...relay.map((variant) =>
        row(
          `relay MqttSink, outbox: ${variant.name}`,
          variant.figures,
          variant.runs,
          [
            cell(variant.overCeiling, 2),
            variant.outbox.store === 'memory' ? '' : cell(variant.overMemory, 2),
          ],
          variant.outbox.store === 'disk'
            ? cell(mebibytes(variant.figures.outboxPeakBytes), 1)
            : '',
        ),
      ),
    ],
    notes: [
      'relay MqttSink: BrokerConnection + MqttSink with the default Relay.publish settings, fed as fast as its queue takes. ' +
        'Its outbox: memory = MemoryOutboxStore; disk = LevelOutboxStore in a fresh temporary folder, ' +
        'with fsync always (a synced write before a message counts as accepted; the default config) ' +
        'or fsync interval (synced every fsyncIntervalMs).',
      'msgs/s: acknowledged messages over first publish to last acknowledgement. ' +
        '/ ceiling: over the ceiling’s msgs/s; / memory: over the memory outbox’s msgs/s.',
      `outbox peak MiB: the disk outbox folder’s largest size, sampled every ${settings.relayPublisher.outboxSampleMs} ms.`,
    ],
  };
}

function taskEventsSection({ taskEvents }: BenchSummary): Section {
  const loads = taskEvents?.loads ?? [];
  return {
    title: 'Task events: failed reloads over UDP, 2 messages each (basic + full)',
    header: [
      'load',
      'target',
      'offered',
      'delivered',
      'events/s',
      'deliv/offer',
      'counted drops',
      'kernel drops',
      'uncounted',
      'p50 ms',
      'p99 ms',
      'max ms',
      'CPU %',
      'machine CPU %',
      'peak RSS MiB',
      'tail s',
    ],
    rows: loads.flatMap((load) => [
      loadRow(load.name, 'relay', load.relay),
      loadRow('', 'naive', load.naive),
      ratioRow(load),
    ]),
    notes: [
      ...sendErrorNote(loads),
      'events/s: events with both messages received, over first send to last receipt. Latency: UDP send to MQTT receipt, per message.',
      'CPU %: the target, of one core; machine CPU %: all processes, of all cores; both over the same window.',
      'tail: last send to last receipt. kernel drops: the socket buffer was full. uncounted: lost and counted nowhere.',
      'Before the loads each target takes an unmeasured warm-up of 20 events (the first fills the metadata cache).',
    ],
  };
}

/** Only when the bench's own socket failed to send: those datagrams were never offered. */
function sendErrorNote(loads: readonly LoadSummary[]): string[] {
  const failing = loads.filter(
    (load) => (load.relay.sendErrors ?? 0) + (load.naive.sendErrors ?? 0) > 0,
  );
  return failing.map(
    (load) =>
      `${load.name}: the bench failed to send ${cell(load.relay.sendErrors)} datagram(s) to the relay, ` +
      `${cell(load.naive.sendErrors)} to the naive baseline.`,
  );
}

function loadRow(load: string, target: string, f: Medians<LoadFigures>): Row {
  return [
    load,
    target,
    cell(f.offered),
    cell(f.delivered),
    cell(f.deliveredPerSecond),
    cell(f.deliveredRatio, 3),
    cell(f.countedDrops),
    cell(f.kernelDrops),
    cell(f.uncountedLoss),
    cell(f.p50Ms, 1),
    cell(f.p99Ms, 1),
    cell(f.maxMs, 0),
    cell(f.cpuPercent, 0),
    cell(f.machineCpuPercent, 0),
    cell(f.peakRssMiB, 1),
    cell(f.tailSeconds, 2),
  ];
}

function ratioRow({ relayOverNaive: r }: LoadSummary): Row {
  return [
    '',
    'relay/naive',
    '',
    '',
    cell(r.deliveredPerSecond, 2),
    cell(r.deliveredRatio, 2),
    '',
    '',
    '',
    cell(r.p50Ms, 2),
    cell(r.p99Ms, 2),
    '',
    cell(r.cpuPercent, 2),
    '',
    cell(r.peakRssMiB, 2),
    '',
  ];
}

function processSection({ taskEvents }: BenchSummary): Section {
  const relay = taskEvents?.relay;
  const naive = taskEvents?.naive;
  return {
    title: 'Processes',
    header: ['', 'start-up to udp.listening ms', 'idle RSS MiB', 'runs'],
    rows: [
      [
        'relay',
        cell(relay?.startupMs),
        cell(relay?.idleRssMiB, 1),
        String(relay?.repetitions ?? 0),
      ],
      [
        'naive',
        cell(naive?.startupMs),
        cell(naive?.idleRssMiB, 1),
        String(naive?.repetitions ?? 0),
      ],
      [
        'relay/naive',
        cell(taskEvents?.startupRelayOverNaive, 2),
        cell(taskEvents?.idleRssRelayOverNaive, 2),
        '',
      ],
    ],
    notes: [
      `Repository Service lookups answered by the fake: ${taskEvents?.repositoryRequests ?? 0} in all; ` +
        `task messages outside any load: ${taskEvents?.strayMessages ?? 0}.`,
    ],
  };
}

function dropsSection({ taskEvents }: BenchSummary): Section {
  const rows = (taskEvents?.loads ?? []).flatMap((load) => {
    const drops = Object.entries(load.relayDropsByReason);
    return drops.length === 0
      ? [[load.name, 'none', '0']]
      : drops.map(([reason, count], i) => [i === 0 ? load.name : '', reason, cell(count)]);
  });
  return {
    title: 'Relay drops by reason (relay_dropped_total gained during the load)',
    header: ['load', 'component/reason', 'count'],
    rows,
  };
}

function mebibytes(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : bytes / 2 ** 20;
}
