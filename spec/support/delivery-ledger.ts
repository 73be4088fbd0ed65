import { hasMetric, metricSamples, scrapeMetrics } from './relay-metrics-scrape.js';
import type { ReceivedMessage, TestSubscriber } from './subscriber.js';

/** Messages the relay took into its outbox, by broker: from then on they must not be lost. */
export const ACCEPTED_METRIC = 'relay_messages_accepted_total';
const DROPPED_METRIC = 'relay_dropped_total';
/** Gauges that are all 0 once the relay holds nothing back: no event waiting, no message queued. */
const WORK_GAUGES = [
  'relay_pipeline_queue_depth',
  'relay_publish_queue_depth',
  'relay_publish_in_flight',
];
/**
 * Components that drop messages already accepted. Every other one drops before acceptance: an
 * event (`udp:*`, `pipeline`), or a message the sink refused before it reached a publisher.
 */
const AFTER_ACCEPTANCE = new Set(['publisher', 'outbox']);

/** One kind of message each sent event should produce: its topic and how to tell its event. */
export interface DeliveryChannel {
  readonly topic: string;
  /** The key of the event a message belongs to, as given to `record`; undefined if none. */
  readonly keyOf: (message: ReceivedMessage) => string | undefined;
}

export interface DeliveryLedgerOptions {
  /** What happened, e.g. `broker outage 5 s`; the first line of the printed block. */
  readonly title: string;
  /** The seed the scenario's choices came from, printed so a run can be repeated. */
  readonly seed: number;
  /** The relay's operations port, for /metrics. */
  readonly httpPort: number;
  readonly subscriber: TestSubscriber;
  /** Every message the relay accepts during the scenario is on one of these topics. */
  readonly channels: readonly DeliveryChannel[];
  readonly broker?: string;
}

/** The accounts at one moment; counts of `dropped*` are by `component/reason`. */
export interface LedgerEntry {
  readonly title: string;
  readonly seed: number;
  /** Events sent (datagrams, MQTT messages), repeats and unkeyed ones included. */
  readonly sent: number;
  /** Distinct events whose every message arrived. */
  readonly delivered: number;
  /** Distinct events some but not all of whose messages arrived. */
  readonly partial: number;
  /** Events dropped before their messages were accepted (ingress, duplicates, full queues). */
  readonly droppedBeforeAcceptance: Readonly<Record<string, number>>;
  /** Messages dropped after they were accepted (publisher, outbox). */
  readonly droppedAfterAcceptance: Readonly<Record<string, number>>;
  /** Messages the relay accepted; undefined while it does not export `ACCEPTED_METRIC`. */
  readonly accepted: number | undefined;
  /** Distinct messages that arrived, one per event and channel. */
  readonly deliveredMessages: number;
  /** Further copies of delivered messages (QoS 1 may resend after a lost acknowledgement). */
  readonly copies: number;
  /** Messages on the channels that belong to no sent event, or that could not be read. */
  readonly stray: number;
  /** Events waiting or messages queued or in flight in the relay right now. */
  readonly inRelay: number;
}

/**
 * The accounts of one fault scenario: what the test sent, what the relay says it accepted and
 * dropped (from its /metrics, counted from when the ledger was opened) and what a real MQTT
 * subscriber received. `settle` waits until every sent event is delivered or counted as dropped,
 * prints the accounts as one block and returns them for `expectNothingLost`.
 */
export class DeliveryLedger {
  private sends = 0;
  private readonly keys = new Set<string>();

  private constructor(
    private readonly options: DeliveryLedgerOptions,
    private readonly baseline: Counts,
  ) {}

  /**
   * Opens the accounts once the relay is at rest (nothing queued, its counters the same on two
   * readings in a row): the counters then are the zero line. A message counts as accepted only
   * once its outbox write is done, so an earlier message may still be counted a moment after it
   * arrived.
   */
  static async open(options: DeliveryLedgerOptions): Promise<DeliveryLedger> {
    const broker = options.broker ?? 'main';
    const read = async () => readCounts(await scrapeMetrics(options.httpPort), broker);
    const deadline = Date.now() + 10_000;
    let previous = await read();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const counts = await read();
      if (counts.work === 0 && JSON.stringify(counts) === JSON.stringify(previous)) {
        return new DeliveryLedger(options, counts);
      }
      if (Date.now() > deadline) throw new Error('the relay did not come to rest within 10 s');
      previous = counts;
    }
  }

  /** One event sent; `key` identifies its messages (a bad event, meant to be dropped, has none). */
  record(key?: string): void {
    this.sends += 1;
    if (key !== undefined) this.keys.add(key);
  }

  get sent(): number {
    return this.sends;
  }

  /** True once every message of each of these events has arrived. */
  allDelivered(keys: readonly string[]): boolean {
    const { seen } = this.tally();
    return keys.every((key) => seen.every((channel) => channel.has(key)));
  }

  /** The accounts now. */
  async snapshot(): Promise<LedgerEntry> {
    const counts = readCounts(
      await scrapeMetrics(this.options.httpPort),
      this.options.broker ?? 'main',
    );
    const { seen, received, stray } = this.tally();
    let delivered = 0;
    let partial = 0;
    for (const key of this.keys) {
      const arrived = seen.filter((keys) => keys.has(key)).length;
      if (arrived === seen.length) delivered += 1;
      else if (arrived > 0) partial += 1;
    }
    const deliveredMessages = seen.reduce((sum, keys) => sum + keys.size, 0);
    const dropped = since(counts.dropped, this.baseline.dropped);
    return {
      title: this.options.title,
      seed: this.options.seed,
      sent: this.sends,
      delivered,
      partial,
      droppedBeforeAcceptance: pick(dropped, (component) => !AFTER_ACCEPTANCE.has(component)),
      droppedAfterAcceptance: pick(dropped, (component) => AFTER_ACCEPTANCE.has(component)),
      accepted:
        counts.accepted === undefined ? undefined : counts.accepted - (this.baseline.accepted ?? 0),
      deliveredMessages,
      copies: received - deliveredMessages,
      stray,
      inRelay: counts.work,
    };
  }

  /** What the subscriber received on the channels: per channel the keys seen, copies, strays. */
  private tally(): { seen: Set<string>[]; received: number; stray: number } {
    const { channels, subscriber } = this.options;
    const seen = channels.map(() => new Set<string>());
    let received = 0;
    let stray = 0;
    channels.forEach((channel, index) => {
      for (const message of subscriber.messages(channel.topic)) {
        const key = readKey(channel, message);
        if (key === undefined || !this.keys.has(key)) {
          stray += 1;
          continue;
        }
        received += 1;
        seen[index]?.add(key);
      }
    });
    return { seen, received, stray };
  }

  /**
   * Waits until every sent event is delivered or counted as dropped, every accepted message has
   * arrived and the relay holds nothing back, the same on two readings in a row; or until
   * `timeoutMs` passes. Prints the accounts either way (unless `quiet`, for a step on the way to
   * the end) and returns them.
   */
  async settle(timeoutMs: number, { quiet = false } = {}): Promise<LedgerEntry> {
    const deadline = Date.now() + timeoutMs;
    let previous: LedgerEntry | undefined;
    for (;;) {
      const entry = await this.snapshot();
      const settled = isSettled(entry);
      if (settled && previous !== undefined && sameAccounts(previous, entry)) {
        if (!quiet) console.log(formatLedger(entry));
        return entry;
      }
      if (Date.now() > deadline) {
        console.log(formatLedger(entry, `NOT SETTLED after ${timeoutMs} ms`));
        return entry;
      }
      previous = settled ? entry : undefined;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Nothing was lost: every event sent was delivered whole or counted as dropped before its
 * messages were accepted, nothing arrived that was not sent, and every accepted message arrived
 * (this last check applies from the moment the relay exports `ACCEPTED_METRIC`).
 */
export function expectNothingLost(entry: LedgerEntry): void {
  expect({
    deliveredPlusDropped: entry.delivered + total(entry.droppedBeforeAcceptance),
    partial: entry.partial,
    stray: entry.stray,
    droppedAfterAcceptance: entry.droppedAfterAcceptance,
    inRelay: entry.inRelay,
  }).toEqual({
    deliveredPlusDropped: entry.sent,
    partial: 0,
    stray: 0,
    droppedAfterAcceptance: {},
    inRelay: 0,
  });
  if (entry.accepted !== undefined) {
    expect({ deliveredMessages: entry.deliveredMessages }).toEqual({
      deliveredMessages: entry.accepted,
    });
  }
}

/** Drops before acceptance of one reason (any component), e.g. `dropped(entry, 'queue-full')`. */
export function droppedFor(entry: LedgerEntry, reason: string): number {
  return Object.entries(entry.droppedBeforeAcceptance)
    .filter(([key]) => key.endsWith(`/${reason}`))
    .reduce((sum, [, count]) => sum + count, 0);
}

export function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** The printed block: one line per account. */
export function formatLedger(entry: LedgerEntry, verdict?: string): string {
  const drops = (counts: Readonly<Record<string, number>>): string =>
    Object.keys(counts).length === 0
      ? 'none'
      : Object.entries(counts)
          .map(([key, count]) => `${key} ${count}`)
          .join(', ');
  const dropped = total(entry.droppedBeforeAcceptance);
  return [
    `[fault] ${entry.title} · seed ${entry.seed}${verdict ? ` · ${verdict}` : ''}`,
    `  events    sent ${entry.sent} · delivered ${entry.delivered} · dropped ${dropped}` +
      ` (${drops(entry.droppedBeforeAcceptance)}) · partial ${entry.partial}` +
      ` · delivered+dropped ${entry.delivered + dropped} of ${entry.sent}`,
    `  messages  accepted ${entry.accepted ?? 'n/a'} · delivered ${entry.deliveredMessages}` +
      ` (+${entry.copies} copies) · dropped after acceptance` +
      ` ${total(entry.droppedAfterAcceptance)} (${drops(entry.droppedAfterAcceptance)})` +
      ` · stray ${entry.stray} · still in relay ${entry.inRelay}`,
  ].join('\n');
}

interface Counts {
  readonly dropped: Readonly<Record<string, number>>;
  readonly accepted: number | undefined;
  readonly work: number;
}

function readCounts(text: string, broker: string): Counts {
  const dropped: Record<string, number> = {};
  for (const { labels, value } of metricSamples(text, DROPPED_METRIC)) {
    const key = `${labels.component}/${labels.reason}`;
    dropped[key] = (dropped[key] ?? 0) + value;
  }
  const accepted = hasMetric(text, ACCEPTED_METRIC)
    ? metricSamples(text, ACCEPTED_METRIC)
        .filter((sample) => sample.labels.broker === broker)
        .reduce((sum, sample) => sum + sample.value, 0)
    : undefined;
  const work = WORK_GAUGES.flatMap((name) => metricSamples(text, name)).reduce(
    (sum, sample) => sum + sample.value,
    0,
  );
  return { dropped, accepted, work };
}

function since(
  now: Readonly<Record<string, number>>,
  before: Readonly<Record<string, number>>,
): Record<string, number> {
  const growth: Record<string, number> = {};
  for (const [key, value] of Object.entries(now)) {
    const grown = value - (before[key] ?? 0);
    if (grown !== 0) growth[key] = grown;
  }
  return growth;
}

function pick(
  counts: Readonly<Record<string, number>>,
  test: (component: string) => boolean,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).filter(([key]) => test(key.slice(0, key.lastIndexOf('/')))),
  );
}

function readKey(channel: DeliveryChannel, message: ReceivedMessage): string | undefined {
  try {
    return channel.keyOf(message);
  } catch {
    return undefined; // an unreadable message is stray
  }
}

/**
 * Every event accounted for and nothing left in the relay. Accepted messages must match exactly:
 * the count may trail the deliveries by an outbox write, and a surplus either way is a finding
 * that waiting out the deadline makes visible.
 */
function isSettled(entry: LedgerEntry): boolean {
  return (
    entry.delivered + total(entry.droppedBeforeAcceptance) >= entry.sent &&
    entry.inRelay === 0 &&
    (entry.accepted === undefined ||
      entry.deliveredMessages + total(entry.droppedAfterAcceptance) === entry.accepted)
  );
}

function sameAccounts(a: LedgerEntry, b: LedgerEntry): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
