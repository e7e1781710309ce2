import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runDrill } from '../../cli/drill/drill.command';
import type { DrillRun, TimelineEntry } from '../../cli/drill/timeline';

/**
 * The drill report in a real browser: a drill of two scenarios writes its report, headless
 * Chromium (Debian's `chromium`, driven by playwright-core, which downloads no browser) opens it
 * and a person's view is checked: no console error, every scenario's section with its timeline
 * lanes, a decision marker whose hover tooltip is the decision's reason, and a screenshot.
 *
 * Never skipped: without Chromium the test fails, saying how to install it (`.ci/run` does).
 *
 * @see https://playwright.dev/docs/api/class-browsertype#browser-type-launch (executablePath)
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCENARIOS = ['region-outage', 'manual-failover-while-frozen'];
const root = join(__dirname, '..', '..');
const SCREENSHOT = join(root, 'reports', 'drill-report.png');

/** The few DOM members the page functions use (the project compiles without TypeScript's DOM library). */
interface DomElement {
  readonly tagName: string;
  readonly children: ArrayLike<DomElement>;
  readonly parentElement: DomElement | null;
  readonly textContent: string | null;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}
declare const document: { elementFromPoint(x: number, y: number): DomElement | null };

let dir: string;
let run: DrillRun;
let reportPath: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it with "apt-get update && apt-get install -y chromium" (.ci/run does), or set CHROMIUM_PATH`);
  }
  dir = mkdtempSync(join(tmpdir(), 'drill-browser-'));
  reportPath = join(dir, 'drill-report.html');
  const lines: string[] = [];
  await runDrill(['--report', reportPath, '--json', ...SCENARIOS.flatMap((s) => ['--scenario', s])], { write: (line) => lines.push(line), color: false, width: 120 });
  run = JSON.parse(lines[lines.length - 1] ?? '{}') as DrillRun;
  // Root (CI containers) cannot use Chromium's sandbox.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('requestfailed', (request) => consoleErrors.push(`request failed: ${request.url()}`));
  await page.goto(`file://${reportPath}`, { waitUntil: 'load' });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const decisionsOf = (entries: readonly TimelineEntry[]) => entries.filter((e): e is Extract<TimelineEntry, { kind: 'decision' }> => e.kind === 'decision');

describe('the drill report in headless Chromium', () => {
  it('ran the scenarios it was asked for', () => {
    expect(run.scenarios.map((s) => s.scenario)).toEqual(SCENARIOS);
  });

  it('loads without a console error, a page error or a failed request', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('renders every scenario section, visible, with its title and its timeline lanes', async () => {
    const sections = page.locator('section.scenario');
    await expect(sections.count()).resolves.toBe(run.scenarios.length);
    for (const [i, scenario] of run.scenarios.entries()) {
      const section = sections.nth(i);
      await expect(section.isVisible()).resolves.toBe(true);
      await expect(section.locator('h2').innerText()).resolves.toContain(scenario.title);
      const svg = section.locator('svg.timeline-svg');
      const box = await svg.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(400);
      expect(box?.height ?? 0).toBeGreaterThan(100);
      const alarms = new Set(scenario.entries.flatMap((e) => (e.kind === 'signal' ? [e.alarmName] : [])));
      await expect(svg.locator('g.lane.signal-lane').count()).resolves.toBe(alarms.size);
      await expect(svg.locator('g.lane.state-lane').count()).resolves.toBe(1);
      // Every lane is drawn with a size: nothing collapsed or hidden.
      for (const lane of await svg.locator('g.lane').all()) {
        const laneBox = await lane.boundingBox();
        expect(laneBox?.width ?? 0).toBeGreaterThan(0);
        expect(laneBox?.height ?? 0).toBeGreaterThan(0);
      }
    }
  });

  it('shows the reason of every decision that acted when its marker is hovered', async () => {
    for (const [i, scenario] of run.scenarios.entries()) {
      const section = page.locator('section.scenario').nth(i);
      await section.locator('svg.timeline-svg').scrollIntoViewIfNeeded();
      // Each marker spot, with the title of the marker drawn last (on top) there.
      const spots = await section.locator('g.lane.marker-lane').first().evaluate((node) => {
        const lane = node as unknown as DomElement;
        const top = new Map<string, { x: number; y: number; title: string }>();
        for (const marker of Array.from(lane.querySelectorAll('g.decision'))) {
          const r = marker.getBoundingClientRect();
          const title = Array.from(marker.children).find((c) => c.tagName.toLowerCase() === 'title')?.textContent ?? '';
          const [x, y] = [r.x + r.width / 2, r.y + r.height / 2];
          top.set(`${Math.round(x)},${Math.round(y)}`, { x, y, title });
        }
        return [...top.values()];
      });
      const tooltips: string[] = [];
      for (const spot of spots) {
        await page.mouse.move(spot.x, spot.y);

        // The tooltip a browser shows is the <title> of the innermost element under the pointer that has one.
        const tooltip = await page.evaluate(
          ([x, y]) => {
            for (let el: DomElement | null = document.elementFromPoint(x!, y!); el; el = el.parentElement) {
              const title = Array.from(el.children).find((child) => child.tagName.toLowerCase() === 'title');
              if (title) return title.textContent ?? '';
            }
            return '';
          },
          [spot.x, spot.y],
        );
        expect(tooltip).toBe(spot.title);
        tooltips.push(tooltip);
      }
      const acted = decisionsOf(scenario.entries).filter((d) => !['none', 'ignored', 'suppressed'].includes(d.action));
      expect(acted.map((d) => d.action)).toContain('start-failover');
      for (const d of acted) expect(tooltips.some((t) => t.includes(` · ${d.action}`) && t.includes(d.reason))).toBe(true);
    }
  });

  it('saves a full-page screenshot under reports/', async () => {
    mkdirSync(join(root, 'reports'), { recursive: true });
    rmSync(SCREENSHOT, { force: true });

    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
  });
});
