/* global document, window, fetch, Option */
// The status page's script: polls status.json and fills the page's tables in place.
//
// Polling rather than Server-Sent Events: each poll is one short request, so the relay keeps no
// connection or timer per viewer and its shutdown waits for nothing; the page simply tries again
// when the relay is back. Polls stop while the tab is hidden or the viewer paused them.

const POLL_MS = 2000;
const RECENT_SHOWN = 20;

const numbers = new Intl.NumberFormat(undefined);
const rates = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

const $ = (id) => document.getElementById(id);

let paused = false;
let timer;
let polling = false;
let last; // the last snapshot, to tell what changed
let unreachableSince;

/** Text for a count. */
function count(value) {
  return numbers.format(value);
}

/** A rate per second, a dash until the relay can tell one; it changes too often to highlight. */
function rate(value) {
  return cell(value === null || value === undefined ? '–' : rates.format(value), {
    className: 'num',
    quiet: true,
  });
}

/** Local time of an ISO timestamp; with the date when it is not today. */
function clock(iso) {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

function duration(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/**
 * A cell's content: its text and options: `state` (ok, bad, warn: a colour and a dot), `time` (an
 * ISO timestamp), `code`, `className`, and `quiet` for values that should not be highlighted.
 */
function cell(text, options = {}) {
  return { text, ...options };
}

/**
 * Puts one row per item into a table body, reusing the row of the same key so that focus and
 * reading position survive an update; a cell whose text changed is marked for a short highlight.
 */
function renderRows(table, items, keyOf, cellsOf, emptyText) {
  const body = table.tBodies[0];
  const columns = table.tHead.rows[0].cells.length;
  if (items.length === 0) {
    const row = document.createElement('tr');
    const only = document.createElement('td');
    only.colSpan = columns;
    only.className = 'empty';
    only.textContent = emptyText;
    row.append(only);
    body.replaceChildren(row);
    body.dataset.filled = 'yes';
    return;
  }
  const old = new Map();
  for (const row of body.rows) if (row.dataset.key !== undefined) old.set(row.dataset.key, row);
  const rows = items.map((item) => {
    const key = keyOf(item);
    const cells = cellsOf(item);
    const existing = old.get(key);
    const row = existing ?? document.createElement('tr');
    if (existing === undefined && body.dataset.filled === 'yes') highlight(row);
    row.dataset.key = key;
    cells.forEach((content, index) => {
      let target = row.cells[index];
      if (target === undefined) {
        target = document.createElement(index === 0 ? 'th' : 'td');
        if (index === 0) target.scope = 'row';
        row.append(target);
      }
      fillCell(target, content, existing !== undefined);
    });
    return row;
  });
  body.replaceChildren(...rows);
  body.dataset.filled = 'yes';
}

function fillCell(target, content, highlightChange) {
  const state = content.state ?? '';
  const changed = target.textContent !== content.text;
  if (!changed && (target.dataset.state ?? '') === state) return;
  if (state) target.dataset.state = state;
  else delete target.dataset.state;
  target.className = content.className ?? '';
  if (content.time || content.code) {
    const inner = document.createElement(content.time ? 'time' : 'code');
    if (content.time) inner.dateTime = content.time;
    inner.textContent = content.text;
    target.replaceChildren(inner);
  } else {
    target.textContent = content.text;
  }
  if (highlightChange && changed && !content.quiet) highlight(target);
}

/** A short highlight of what just changed; the style sheet drops it for reduced motion. */
function highlight(element) {
  element.classList.remove('changed');
  void element.offsetWidth; // restarts the highlight when it is still running
  element.classList.add('changed');
}

function renderRelay(snapshot) {
  const { relay } = snapshot;
  const health = $('health');
  health.dataset.state = relay.healthy ? 'ok' : 'bad';
  health.textContent = relay.healthy ? 'Healthy' : 'Unhealthy';
  const up = Date.parse(relay.generatedAt) - Date.parse(relay.startedAt);
  $('relay-facts').textContent =
    `Version ${relay.version} · started ${clock(relay.startedAt)} (up ${duration(up)})`;
  $('rate-window').textContent =
    relay.rateWindowSeconds === null
      ? 'Rates appear from the next update on.'
      : `Rates are averaged over the last ${Math.round(relay.rateWindowSeconds)} s.`;
}

function renderBrokers(brokers) {
  renderRows(
    $('brokers'),
    brokers,
    (broker) => broker.name,
    (broker) => [
      cell(broker.name),
      cell(broker.state, { state: broker.state === 'connected' ? 'ok' : 'bad' }),
      cell(clock(broker.since), { time: broker.since }),
      cell(broker.url, { className: 'mono' }),
      cell(broker.clientId || '(random)', { className: 'mono' }),
      cell(count(broker.acknowledged), { className: 'num' }),
      rate(broker.acknowledgedPerSecond),
      cell(count(broker.reconnects), { className: 'num' }),
    ],
    'No broker is configured: Butler.mqttConfig.enable is false.',
  );
}

function renderPipelines(pipelines) {
  renderRows(
    $('pipelines'),
    pipelines,
    (pipeline) => pipeline.name,
    (pipeline) => [
      cell(pipeline.name),
      cell(pipeline.running ? 'running' : 'stopped', { state: pipeline.running ? 'ok' : 'bad' }),
      cell(count(pipeline.eventsIn), { className: 'num' }),
      rate(pipeline.eventsInPerSecond),
      cell(count(pipeline.messagesOut), { className: 'num' }),
      rate(pipeline.messagesOutPerSecond),
      cell(count(pipeline.dropped), {
        className: 'num',
        state: pipeline.dropped > 0 ? 'warn' : undefined,
      }),
      rate(pipeline.droppedPerSecond),
      cell(count(pipeline.stepErrors), {
        className: 'num',
        state: pipeline.stepErrors > 0 ? 'warn' : undefined,
      }),
      cell(count(pipeline.waiting), { className: 'num' }),
    ],
    'No pipeline runs.',
  );
}

function renderPublishing(snapshot) {
  const { outbox } = snapshot;
  for (const field of document.querySelectorAll('#outbox [data-field]')) {
    const value = outbox[field.dataset.field];
    fillCell(
      field,
      cell(typeof value === 'number' ? count(value) : String(value)),
      last !== undefined,
    );
  }
  renderRows(
    $('publishers'),
    snapshot.publishers,
    (publisher) => `${publisher.broker}\u0000${publisher.topic}`,
    (publisher) => [
      cell(publisher.topic, { className: 'mono' }),
      cell(publisher.broker),
      cell(publisher.state, { state: publisher.state === 'sending' ? 'ok' : 'warn' }),
      cell(count(publisher.queued), { className: 'num' }),
      cell(count(publisher.inFlight), { className: 'num' }),
    ],
    'No message published yet.',
  );
  const note = $('publishers-note');
  const hidden = snapshot.publishersTotal - snapshot.publishers.length;
  note.hidden = hidden <= 0;
  note.textContent = hidden > 0 ? `${count(hidden)} quieter publishers are not shown.` : '';
}

function renderDrops(drops) {
  renderRows(
    $('drops'),
    drops,
    (drop) => `${drop.component}\u0000${drop.reason}`,
    (drop) => [
      cell(drop.component),
      cell(drop.reason),
      cell(count(drop.count), { className: 'num', state: 'warn' }),
      rate(drop.perSecond),
    ],
    'Nothing dropped.',
  );
}

function renderRecent(snapshot) {
  const select = $('recent-filter');
  const names = [
    ...new Set([
      ...snapshot.pipelines.map((p) => p.name),
      ...snapshot.recent.map((r) => r.pipeline),
    ]),
  ];
  const known = [...select.options].slice(1).map((option) => option.value);
  if (names.join('\u0000') !== known.join('\u0000')) {
    const chosen = select.value;
    select.replaceChildren(select.options[0], ...names.map((name) => new Option(name, name)));
    select.value = names.includes(chosen) ? chosen : '';
  }
  const shown = snapshot.recent
    .filter((row) => select.value === '' || row.pipeline === select.value)
    .slice(0, RECENT_SHOWN);
  renderRows(
    $('recent'),
    shown,
    (row) =>
      `${row.at}\u0000${row.pipeline}\u0000${row.direction}\u0000${row.id}\u0000${row.topic ?? row.kind}`,
    (row) => [
      cell(clock(row.at), { time: row.at }),
      cell(row.pipeline),
      cell(row.direction === 'in' ? 'in' : 'out', { className: `direction-${row.direction}` }),
      cell(row.direction === 'in' ? `${row.kind} from ${row.source}` : `${row.topic}`, {
        className: 'mono',
      }),
      cell(row.excerpt, { code: true, className: 'excerpt' }),
    ],
    select.value === '' ? 'Nothing seen yet.' : 'Nothing seen by this pipeline yet.',
  );
}

/** Says, politely, only what changed state since the last update. */
function announceChanges(snapshot) {
  const said = [];
  if (last !== undefined) {
    if (last.relay.healthy !== snapshot.relay.healthy) {
      said.push(snapshot.relay.healthy ? 'The relay is healthy.' : 'The relay is unhealthy.');
    }
    const before = new Map(last.brokers.map((broker) => [broker.name, broker.state]));
    for (const broker of snapshot.brokers) {
      const was = before.get(broker.name);
      if (was !== undefined && was !== broker.state)
        said.push(`Broker ${broker.name} is ${broker.state}.`);
    }
  }
  if (unreachableSince !== undefined) said.push('The relay answers again.');
  if (said.length > 0) $('announcer').textContent = said.join(' ');
}

function render(snapshot) {
  announceChanges(snapshot);
  renderRelay(snapshot);
  renderBrokers(snapshot.brokers);
  renderPipelines(snapshot.pipelines);
  renderPublishing(snapshot);
  renderDrops(snapshot.drops);
  renderRecent(snapshot);
  last = snapshot;
  unreachableSince = undefined;
  const updated = $('updated');
  updated.dataset.state = '';
  updated.textContent = `Updated ${clock(snapshot.relay.generatedAt)}`;
}

function showUnreachable(reason) {
  const first = unreachableSince === undefined;
  unreachableSince ??= new Date();
  const health = $('health');
  health.dataset.state = 'unknown';
  health.textContent = 'Unreachable';
  const updated = $('updated');
  updated.dataset.state = 'bad';
  updated.textContent = `No answer since ${unreachableSince.toLocaleTimeString()} (${reason}); trying again`;
  if (first) $('announcer').textContent = 'The relay does not answer.';
}

async function poll() {
  if (polling) return;
  polling = true;
  window.clearTimeout(timer);
  try {
    const response = await fetch('status.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (error) {
    showUnreachable(error instanceof Error ? error.message : String(error));
  } finally {
    polling = false;
    schedule();
  }
}

function schedule() {
  window.clearTimeout(timer);
  if (!paused && !document.hidden) timer = window.setTimeout(poll, POLL_MS);
}

$('pause').addEventListener('click', (event) => {
  paused = !paused;
  event.currentTarget.textContent = paused ? 'Resume updates' : 'Pause updates';
  if (paused) window.clearTimeout(timer);
  else void poll();
});
$('recent-filter').addEventListener('change', () => {
  if (last !== undefined) renderRecent(last);
});
document.addEventListener('visibilitychange', () => {
  if (document.hidden) window.clearTimeout(timer);
  else if (!paused) void poll();
});

void poll();
