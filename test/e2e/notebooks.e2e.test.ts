/**
 * The Notebooks view end to end (CPU backend, stories260K): open the logit-lens example, save
 * it into a project, run every cell in the worker with progress shown, see a figure inline;
 * reload, reopen it from the project and run it again with the step served from the project's
 * cache; export the HTML report (plotly data embedded) and the JSON; a bad parameter shows the
 * validator's message and blocks the run.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openApp, screenshot, waitForModel } from './browser.ts';

const TITLE = 'Logit lens of a story prompt on stories260K';

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl'), '?backend=cpu#notebooks'));
  await waitForModel(page);
});

afterAll(async () => {
  await browser?.close();
});

const view = () => page.getByTestId('view-notebooks');
const lensCell = () => view().locator('[data-testid="nb-cell"][data-cell-id="lens"]');

/** Runs every cell; resolves with the progress texts seen while it ran. */
async function runAll(): Promise<string[]> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="view-notebooks"] [data-testid="job-progress"]');
      if (el?.textContent) seen.push(el.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('view-notebooks-run').click();
  await view().getByTestId('nb-summary').waitFor({ timeout: 120_000 });
  await view().locator('[data-testid="nb-figure"] .plotly-figure[data-rendered="true"]').first().waitFor({ timeout: 60_000 });
  return page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
}

async function counts(): Promise<{ computed: string | null; cached: string | null }> {
  return { computed: await view().getByTestId('run-computed').textContent(), cached: await view().getByTestId('run-cached').textContent() };
}

describe('notebooks', () => {
  it('opens the logit-lens example and saves it into a new project', async () => {
    // The view opens with the logit-lens example, and the picker names it (not another example).
    await expect(view().getByTestId('nb-title').inputValue()).resolves.toBe(TITLE);
    await expect(view().getByTestId('nb-open-choice').inputValue()).resolves.toBe('example:logit-lens');
    await view().getByTestId('nb-open-choice').selectOption('example:logit-lens');
    await view().getByTestId('nb-open').click();
    await expect(view().getByTestId('nb-title').inputValue()).resolves.toBe(TITLE);
    await expect(view().getByTestId('nb-cell').count()).resolves.toBe(8);
    await view().getByTestId('nb-save').click();
    await expect.poll(() => view().getByTestId('nb-save').textContent()).toBe('Saved ✓');
  });

  it('runs every cell in the worker with progress, and draws the figures inline', async () => {
    const progress = await runAll();
    expect(progress.some((text) => /cell/.test(text)), progress.join(' | ')).toBe(true);
    expect(await counts()).toEqual({ computed: '1', cached: '0' });
    await lensCell().getByTestId('cell-computed').waitFor();
    await expect(view().locator('[data-testid="nb-figure"] .heatmaplayer').count()).resolves.toBeGreaterThan(0);
    await expect(view().locator('.nb-markdown h1').first().textContent()).resolves.toBe('Logit lens');
  });

  it('reopened from the project after a reload, runs from the project’s cache', async () => {
    await page.reload();
    await waitForModel(page);
    const stored = await view()
      .getByTestId('nb-open-choice')
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter((v) => v.startsWith('project:')));
    expect(stored).toHaveLength(1);
    await view().getByTestId('nb-open-choice').selectOption(stored[0]);
    await view().getByTestId('nb-open').click();
    await expect(view().getByTestId('nb-save').textContent()).resolves.toBe('Saved ✓');
    await runAll();
    expect(await counts()).toEqual({ computed: '0', cached: '1' });
    await lensCell().getByTestId('cell-cached').waitFor();
    await screenshot(page, 'notebooks');
  });

  it('exports the HTML report with the figure data and plotly.js inlined', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), view().getByTestId('nb-export-html').click()]);
    expect(download.suggestedFilename()).toMatch(/^Logit-lens-of-a-story-prompt-on-stories260K\.html$/);
    const html = readFileSync((await download.path())!, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    const figures = JSON.parse(/<script type="application\/json" id="probescope-figures">(.*?)<\/script>/s.exec(html)![1]) as Record<string, { data: { type: string }[] }>;
    expect(Object.keys(figures)).toEqual(['figure-5', 'figure-7', 'figure-8']);
    expect(figures['figure-5'].data[0].type).toBe('heatmap');
    expect(html.length).toBeGreaterThan(1_000_000); // plotly.js itself
    expect(html.includes('content="default-src &#39;none&#39;;')).toBe(true);
  });

  it('exports the notebook as JSON', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), view().getByTestId('nb-export-json').click()]);
    expect(download.suggestedFilename()).toBe('Logit-lens-of-a-story-prompt-on-stories260K.probescope-notebook.json');
    const doc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { format: string; title: string; cells: unknown[] };
    expect([doc.format, doc.title, doc.cells.length]).toEqual(['probescope.notebook', TITLE, 8]);
  });

  it('shows the validator’s message for a bad parameter and blocks the run', async () => {
    const topK = lensCell().getByTestId('param-topK');
    await topK.fill('500');
    await expect(lensCell().getByTestId('param-error').first().textContent()).resolves.toBe('Too big: expected number to be <=50');
    await expect(page.getByTestId('view-notebooks-run').isDisabled()).resolves.toBe(true);
    await expect(view().locator('.view-blocked').textContent()).resolves.toBe('1 problem to fix first');
    await lensCell().getByTestId('cell-outdated').waitFor();
    await screenshot(page, 'notebooks-invalid');
    await topK.fill('5');
    await expect(lensCell().getByTestId('param-error').count()).resolves.toBe(0);
    await expect(page.getByTestId('view-notebooks-run').isDisabled()).resolves.toBe(false);
  });

  it('logged no errors', () => {
    expect(problems).toEqual([]);
  });
});
