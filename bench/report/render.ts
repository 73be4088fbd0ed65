import type { PublishRun } from '../phases/publish-run.js';
import type {
  BenchSummary,
  Comparison,
  LoadSummary,
  Medians,
  TargetLoadSummary,
} from './summary.js';
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
    `Produced by \`${summary.settings.mode === 'short' ? 'npm run bench -- --short' : 'npm run bench'}\`; every figure is the median of the repetitions that completed.`,
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
    list.push(
      goalsSection(summary),
      taskEventsSection(summary),
      processSection(summary),
      dropsSection(summary),
    );
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

function goalsSection({ goals }: BenchSummary): Section {
  const verdict = (met: boolean | undefined): string =>
    met === undefined ? 'not measured' : met ? 'met' : 'NOT MET';
  return {
    title: 'Targets, judged on this run',
    header: ['goal', 'target', 'required', 'measured', 'verdict'],
    rows: goals.map((check) => [
      check.goal,
      check.target,
      check.required,
      check.measured,
      verdict(check.met),
    ]),
    notes: [
      'The naive ceiling is the naive baseline’s highest events/s over the steady loads; a target’s sustained events/s is its own highest.',
    ],
  };
}

function taskEventsSection({ taskEvents, settings }: BenchSummary): Section {
  const loads = taskEvents?.loads ?? [];
  return {
    title: 'Task events: failed reloads over UDP, 2 messages each (basic + full)',
    header: [
      'load',
      'target',
      'offered',
      'delivered',
      'events/s',
      'msgs / ceiling',
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
      'runs',
    ],
    rows: loads.flatMap((load) =>
      load.targets.flatMap((target, i) => [
        loadRow(i === 0 ? load.load.name : '', target),
        ...(target.overNaive ? [ratioRow(target.overNaive)] : []),
      ]),
    ),
    notes: [
      ...sendErrorNote(loads),
      'events/s: events with both messages received, over first send to last receipt. msgs / ceiling: those messages/s (2 per event) over the broker ceiling’s. Latency: UDP send to MQTT receipt, per message.',
      '/ naive: the row above over the naive baseline’s figures in the same load.',
      'CPU %: the target, of one core; machine CPU %: all processes, of all cores (the bench itself sends and receives on the same machine); both over the same window.',
      'tail: last send to last receipt. kernel drops: the socket buffer was full. uncounted: lost and counted nowhere.',
      `Before the loads each target takes an unmeasured warm-up of ${cell(settings.taskEvents.warmUp.events)} events at ${cell(settings.taskEvents.warmUp.ratePerSecond)}/s (the first fills the metadata cache; the rest let the hot code be compiled).`,
    ],
  };
}

/** Only when the bench's own socket failed to send: those datagrams were never offered. */
function sendErrorNote(loads: readonly LoadSummary[]): string[] {
  return loads.flatMap((load) =>
    load.targets
      .filter((target) => (target.figures.sendErrors ?? 0) > 0)
      .map(
        (target) =>
          `${load.load.name}: the bench failed to send ${cell(target.figures.sendErrors)} datagram(s) to ${target.label}.`,
      ),
  );
}

function loadRow(load: string, target: TargetLoadSummary): Row {
  const f = target.figures;
  return [
    load,
    target.label,
    cell(f.offered),
    cell(f.delivered),
    cell(f.deliveredPerSecond),
    cell(target.overCeiling, 2),
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
    String(target.runs),
  ];
}

function ratioRow(r: Comparison): Row {
  return [
    '',
    '/ naive',
    '',
    '',
    cell(r.deliveredPerSecond, 2),
    '',
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
    '',
  ];
}

function processSection({ taskEvents }: BenchSummary): Section {
  const processes = taskEvents?.processes ?? [];
  return {
    title: 'Processes',
    header: ['', 'start-up to listening ms', '/ naive', 'idle RSS MiB', '/ naive', 'runs'],
    rows: processes.map((process) => [
      process.label,
      cell(process.startupMs),
      cell(process.startupOverNaive, 2),
      cell(process.idleRssMiB, 1),
      cell(process.idleRssOverNaive, 2),
      String(process.repetitions),
    ]),
    notes: [
      'start-up: from spawning the process until it listens for UDP and its broker connection is up.',
      `Repository Service lookups answered by the fake: ${taskEvents?.repositoryRequests ?? 0} in all; ` +
        `task messages outside any load: ${taskEvents?.strayMessages ?? 0}.`,
    ],
  };
}

function dropsSection({ taskEvents }: BenchSummary): Section {
  const rows = (taskEvents?.loads ?? []).flatMap((load) =>
    load.targets
      .filter(({ spec }) => spec.kind === 'relay')
      .flatMap((target, t) => {
        const drops = Object.entries(target.dropsByReason);
        const first = (i: number): string => (t === 0 && i === 0 ? load.load.name : '');
        return drops.length === 0
          ? [[first(0), target.label, 'none', '0']]
          : drops.map(([reason, count], i) => [
              first(i),
              i === 0 ? target.label : '',
              reason,
              cell(count),
            ]);
      }),
  );
  return {
    title: 'Relay drops by reason (relay_dropped_total gained during the load)',
    header: ['load', 'target', 'component/reason', 'count'],
    rows,
  };
}

function mebibytes(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : bytes / 2 ** 20;
}
