import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { testEventDatagram } from '../../lib/cli/test-event-datagram.js';
import { SECRET_MASK } from '../../lib/config/mask-config.js';
import { sendDatagrams } from '../support/udp-sender.js';
import { waitUntil } from '../support/wait-until.js';
import {
  publishToBroker,
  sendTestEvent,
  startStatusRelay,
  type StatusRelay,
} from './support/status-relay.js';

/** Debian's package; `.ci/run` installs it. Never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Outside the working tree, so nothing is ever committed by mistake. */
const SCREENSHOTS = join(tmpdir(), 'sense-mqtt-relay-status-page');
const TASK_EVENTS = 'butler-task-events';
const START_TASK = 'butler-start-task';

/**
 * The few browser globals the functions run in the page use: the specs are compiled without the
 * DOM library, and those functions are sent to the page as source, so they name no spec variable.
 */
interface BrowserGlobals {
  getComputedStyle(element: unknown): {
    getPropertyValue(name: string): string;
    animationName: string;
  };
  readonly document: {
    readonly documentElement: unknown;
    readonly activeElement: { blur(): void } | null;
  };
  statusPageMarker?: string;
}

/** Polls a locator's text until `test` holds; resolves with that text. */
async function textWhen(
  locator: Locator,
  what: string,
  test: (text: string) => boolean,
): Promise<string> {
  let text = '';
  await waitUntil(
    async () => {
      text = ((await locator.count()) > 0 ? await locator.first().textContent() : null) ?? '';
      return test(text);
    },
    `${what} (last seen: ${JSON.stringify(text)})`,
    15_000,
  );
  return text;
}

/** The cell of a row in the column with this header. */
async function cellOf(table: Locator, rowName: RegExp, column: string): Promise<Locator> {
  const headers = await table.getByRole('columnheader').allTextContents();
  const index = headers.indexOf(column);
  if (index < 0) throw new Error(`no column ${column} in ${headers.join(', ')}`);
  return table.getByRole('row', { name: rowName }).locator('th, td').nth(index);
}

const countIn = (text: string): number => Number(text.replace(/[^\d]/g, ''));

/**
 * What one element draws now, in the light scheme with animations finished, so two shots differ
 * only by what it shows; kept in the temp folder as `<name>.png`.
 */
async function shotOf(page: Page, element: Locator, name: string): Promise<Buffer> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  const shot = await element.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    animations: 'disabled',
    caret: 'hide',
  });
  await page.emulateMedia({ colorScheme: null, reducedMotion: null });
  return shot;
}

/** WCAG's contrast ratio of two `#rrggbb` colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string): number => {
    const channels = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255);
    const [r = 0, g = 0, bl = 0] = channels.map((c) =>
      c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
    );
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

describe('the status page in Chromium', () => {
  let relay: StatusRelay | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let profile: string | undefined;
  /** The Pipelines table as drawn before any event came. */
  let pipelinesBefore: Buffer | undefined;

  beforeAll(async () => {
    // A missing browser fails the suite: skipping would hide that the page went untested.
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);
    }
    relay = await startStatusRelay();
    profile = mkdtempSync(join(tmpdir(), 'relay-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${relay.base}/`);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await relay?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  const running = (): StatusRelay => {
    if (relay === undefined) throw new Error('the relay did not start');
    return relay;
  };

  it('shows the broker connected and every pipeline running', async () => {
    await textWhen(page.locator('#health'), 'the health badge', (text) => text === 'Healthy');
    const brokers = page.getByRole('table', { name: /Connection to each MQTT broker/ });
    const state = await cellOf(brokers, /^main\b/, 'State');
    await textWhen(state, 'the main broker connected', (text) => text === 'connected');
    const pipelines = page.getByRole('table', { name: /Events each pipeline took/ });
    for (const name of [TASK_EVENTS, START_TASK]) {
      const pipelineState = await cellOf(pipelines, new RegExp(`^${name}\\b`), 'State');
      expect(await pipelineState.textContent()).toBe('running');
      const dropped = await cellOf(pipelines, new RegExp(`^${name}\\b`), 'Dropped');
      expect(await dropped.textContent()).toBe('0');
    }
    const drops = page.getByRole('table', { name: /Events and messages dropped/ });
    expect(await drops.locator('tbody').textContent()).toBe('Nothing dropped.');
    pipelinesBefore = await shotOf(page, pipelines, 'pipelines-before');
  });

  it('counts sent events and lists them without a reload', async () => {
    const pipelines = page.getByRole('table', { name: /Events each pipeline took/ });
    const eventsIn = await cellOf(pipelines, new RegExp(`^${TASK_EVENTS}\\b`), 'Events in');
    const messagesOut = await cellOf(pipelines, new RegExp(`^${TASK_EVENTS}\\b`), 'Messages out');
    const before = countIn(await textWhen(eventsIn, 'a count', (text) => /\d/.test(text)));
    const outBefore = countIn((await messagesOut.textContent()) ?? '');
    await page.evaluate(() => {
      (globalThis as unknown as BrowserGlobals).statusPageMarker = 'loaded once';
    });

    await sendTestEvent(running(), 'Reload of Sales (status page)');
    await publishToBroker(
      running(),
      'qliksense/status-page-browser',
      JSON.stringify({ user: 'ops', password: 'hunter2-browser' }),
    );

    await textWhen(eventsIn, 'events in to grow', (text) => countIn(text) > before);
    await textWhen(messagesOut, 'messages out to grow', (text) => countIn(text) >= outBefore + 2);
    expect(
      await page.evaluate(() => (globalThis as unknown as BrowserGlobals).statusPageMarker),
    ).toBe('loaded once');

    const recent = page.getByRole('table', { name: /Events in and messages out/ });
    const eventRow = recent.getByRole('row', { name: /task\.failed from udp:tasks/ });
    await textWhen(eventRow, 'the event in the list', (text) =>
      text.includes('Reload of Sales (status page)'),
    );
    const messageRow = recent.getByRole('row', { name: /qliksense\/task_failure\b(?!_full)/ });
    expect(await messageRow.first().textContent()).toContain('Reload of Sales (status page)');
    const secretRow = recent.getByRole('row', { name: /status-page-browser/ });
    const secretText = await textWhen(secretRow, 'the MQTT message', (text) => text !== '');
    expect(secretText).toContain(SECRET_MASK);
    expect(await page.content()).not.toContain('hunter2-browser');
  });

  it('counts a duplicate as dropped by its pipeline and lists it under Drops', async () => {
    const pipelines = page.getByRole('table', { name: /Events each pipeline took/ });
    const taskEvents = new RegExp(`^${TASK_EVENTS}\\b`);
    const dropped = await cellOf(pipelines, taskEvents, 'Dropped');
    const droppedRate = await cellOf(pipelines, taskEvents, 'Dropped per second');
    const before = countIn(await textWhen(dropped, 'a count', (text) => /\d/.test(text)));

    const { text } = testEventDatagram({ type: 'failed', taskName: 'Sent twice (status page)' });
    await sendDatagrams(running().udpPort, [text, text]);

    await textWhen(dropped, 'the copy counted', (count) => countIn(count) === before + 1);
    expect(await dropped.getAttribute('data-state')).toBe('warn');
    await textWhen(droppedRate, 'a drop rate', (rate) => Number.parseFloat(rate) > 0);
    const startTaskDropped = await cellOf(pipelines, new RegExp(`^${START_TASK}\\b`), 'Dropped');
    expect(await startTaskDropped.textContent()).toBe('0');

    const drops = page.getByRole('table', { name: /Events and messages dropped/ });
    const duplicate = /^udp:tasks duplicate\b/;
    await textWhen(drops.getByRole('row', { name: duplicate }), 'the row under Drops', (row) =>
      row.includes('duplicate'),
    );
    expect(await (await cellOf(drops, duplicate, 'Count')).textContent()).toBe('1');
    expect(await drops.textContent()).not.toContain('Nothing dropped');
  });

  it('filters the last events by pipeline', async () => {
    const recent = page.getByRole('table', { name: /Events in and messages out/ });
    await page.getByLabel('Show').selectOption(START_TASK);
    await waitUntil(
      async () => (await recent.getByRole('row', { name: /udp:tasks/ }).count()) === 0,
      'only start-task rows',
    );
    expect(await recent.getByRole('rowheader').allTextContents()).not.toContain(TASK_EVENTS);
    await page.getByLabel('Show').selectOption('');
  });

  it('is structured for assistive technology and works with the keyboard', async () => {
    for (const landmark of ['banner', 'main', 'contentinfo'] as const) {
      expect(await page.getByRole(landmark).count()).toBe(1);
    }
    expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual([
      'sense-mqtt-relay',
    ]);
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'Brokers',
      'Pipelines',
      'Publishing',
      'Drops',
      'Last events seen',
    ]);
    const tables = page.getByRole('table');
    expect(await tables.count()).toBe(5);
    for (const table of await tables.all()) {
      expect(await table.locator('caption').count()).toBe(1);
      expect(await table.getByRole('columnheader').count()).toBeGreaterThan(2);
    }
    expect(await page.getByRole('rowheader', { name: 'main' }).count()).toBe(1);
    const tree = await page.getByRole('main').ariaSnapshot();
    expect(tree).toContain('table "Connection to each MQTT broker');
    expect(tree).toContain('columnheader "Events in"');
    // One polite live region, for changes of state only.
    expect(await page.locator('[aria-live], [role="status"], [role="alert"]').count()).toBe(1);

    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to the status');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Pause updates');
    await page.keyboard.press('Enter');
    expect(await page.locator(':focus').textContent()).toBe('Resume updates');
    await page.keyboard.press('Space');
    expect(await page.locator(':focus').textContent()).toBe('Pause updates');
    await page.keyboard.press('Tab'); // a table that may scroll sideways takes focus too
    expect(await page.locator(':focus').getAttribute('role')).toBe('region');
  });

  it('has contrast enough in light and dark, and no motion when asked for none', async () => {
    const pairs: [foreground: string, background: string][] = [
      ...['--text', '--muted', '--accent', '--ok', '--bad', '--warn'].flatMap(
        (foreground): [string, string][] => [
          [foreground, '--surface'],
          [foreground, '--bg'],
        ],
      ),
      ['--ok', '--ok-bg'],
      ['--bad', '--bad-bg'],
      ['--text', '--warn-bg'],
      ['--text', '--highlight'],
      ['--text', '--code-bg'],
    ];
    const tooLow: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const colours = await page.evaluate((names) => {
        const style = (globalThis as unknown as BrowserGlobals).getComputedStyle(
          (globalThis as unknown as BrowserGlobals).document.documentElement,
        );
        return names.map((name) => style.getPropertyValue(name).trim());
      }, pairs.flat());
      pairs.forEach(([foreground, background], index) => {
        const ratio = contrast(colours[index * 2] ?? '', colours[index * 2 + 1] ?? '');
        if (!(ratio >= 4.5)) {
          tooLow.push(`${colorScheme}: ${foreground} on ${background} is ${ratio.toFixed(2)}:1`);
        }
      });
    }
    expect(tooLow).toEqual([]);

    const animation = async (): Promise<string> =>
      page.locator('#updated').evaluate((element) => {
        (element as unknown as { classList: { add(name: string): void } }).classList.add('changed');
        return (globalThis as unknown as BrowserGlobals).getComputedStyle(element).animationName;
      });
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    expect(await animation()).toBe('changed');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await animation()).toBe('none');
    await page.emulateMedia({ reducedMotion: null });
  });

  it('renders its data visibly (screenshots in the temp folder)', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The steady page: no focus ring, no highlight running.
    await page.evaluate(() =>
      (globalThis as unknown as BrowserGlobals).document.activeElement?.blur(),
    );
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
      const file = join(SCREENSHOTS, `status-page-${colorScheme}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect(statSync(file).size).toBeGreaterThan(30_000);
    }
    // The events since the first shot changed what the Pipelines table draws.
    const pipelines = page.getByRole('table', { name: /Events each pipeline took/ });
    const pipelinesAfter = await shotOf(page, pipelines, 'pipelines-after');
    expect(pipelinesBefore).toBeDefined();
    expect(pipelinesAfter.equals(pipelinesBefore ?? Buffer.alloc(0))).toBe(false);
    for (const data of [
      page.getByRole('rowheader', { name: 'main' }),
      page.getByRole('rowheader', { name: TASK_EVENTS }),
      page
        .getByRole('table', { name: /Events and messages dropped/ })
        .getByRole('row', { name: /^udp:tasks duplicate\b/ }),
      page
        .getByRole('table', { name: /Events in and messages out/ })
        .locator('tbody tr')
        .first(),
      page.locator('#outbox [data-field="accepted"]'),
    ]) {
      const box = await data.boundingBox();
      expect(box?.width).toBeGreaterThan(0);
      expect(box?.height).toBeGreaterThan(0);
    }
  });

  it('says so when the relay stops answering, which does not hold up its shutdown', async () => {
    expect(await running().process.stop()).toBe(0);
    await textWhen(
      page.locator('#health'),
      'the unreachable badge',
      (text) => text === 'Unreachable',
    );
    expect(await page.getByRole('status').textContent()).toBe('The relay does not answer.');
  });
});
