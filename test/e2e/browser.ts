/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), with WebGPU on, and
 * helpers shared by the end-to-end tests.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = path.join(root, 'artifacts', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A page that records console errors and CSP violations, so tests can assert there are none. */
export async function openApp(browser: Browser, baseUrl: string, hash = ''): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, acceptDownloads: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${baseUrl}${hash}`);
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // From the top, so the sticky sidebar is drawn where a reader expects it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Waits until the built-in model is open (its name in the sidebar). */
export async function waitForModel(page: Page, name = 'stories260K'): Promise<void> {
  await page.getByTestId('sidebar-model').filter({ hasText: name }).waitFor({ timeout: 60_000 });
}

/** Waits until a figure card's Plotly figure has been drawn. */
export async function figureDrawn(page: Page, testId: string, timeout = 120_000): Promise<void> {
  await page.locator(`[data-testid="${testId}"] .plotly-figure[data-rendered="true"]`).waitFor({ timeout });
}

/**
 * Clicks cell (row, col) of a heatmap in a figure card: hover first (Plotly picks the point
 * on hover), then click. `subplot` picks one plot of a grid of small multiples.
 */
export async function clickHeatmapCell(page: Page, testId: string, row: number, col: number, rows: number, cols: number, subplot = 0): Promise<void> {
  const area = page.locator(`[data-testid="${testId}"] .nsewdrag`).nth(subplot);
  await area.scrollIntoViewIfNeeded();
  const box = await area.boundingBox();
  if (!box) throw new Error(`${testId}: no plot area`);
  const x = box.x + ((col + 0.5) * box.width) / cols;
  const y = box.y + ((row + 0.5) * box.height) / rows;
  await page.mouse.move(x, y);
  await page.waitForTimeout(150);
  await page.mouse.click(x, y);
}
