/**
 * The web app end to end in Debian's Chromium on WebGPU (asked for with ?backend=webgpu: Auto
 * takes the CPU on this software adapter, SwiftShader): first start, the logit lens, attention with an SVG
 * export, and cancelling a long sweep with the app staying responsive. Screenshots go to
 * artifacts/screenshots/ for a person to look at.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clickHeatmapCell, figureDrawn, launchChromium, openApp, screenshot, waitForModel } from './browser.ts';
import { LONG_STORY } from './stories.ts';

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl'), '?backend=webgpu'));
});

afterAll(async () => {
  await browser?.close();
});

describe('Probescope web app (on WebGPU when available)', () => {
  it('opens the built-in stories260K on first start, on WebGPU, with tokens and the next-token list', async () => {
    await waitForModel(page);
    const hasAdapter = await page.evaluate(async () => (await navigator.gpu?.requestAdapter()) != null);
    await expect(page.getByTestId('backend-badge').textContent()).resolves.toBe(hasAdapter ? 'WebGPU' : 'CPU');
    await page.getByTestId('prompt-tokens').waitFor();
    expect(await page.locator('[data-testid="prompt-tokens"] .token').first().textContent()).toContain('<s>');
    await page.getByTestId('next-token-list').waitFor({ timeout: 120_000 });
    await screenshot(page, 'prompt');
    await page.getByTestId('nav-model').click();
    await page.getByTestId('model-card').waitFor();
    await expect(page.getByTestId('card-layers').textContent()).resolves.toBe('5');
    await expect(page.getByTestId('card-heads').textContent()).resolves.toBe('8');
    await screenshot(page, 'model');
  });

  it('runs the logit lens', async () => {
    await page.getByTestId('nav-logit-lens').click();
    await page.getByTestId('view-logit-lens-run').click();
    await figureDrawn(page, 'figure-logit-lens');
    await screenshot(page, 'logit-lens');
  });

  it('shows attention patterns, opens a head from the grid, and exports it as SVG', async () => {
    await page.getByTestId('nav-attention').click();
    await page.getByTestId('view-attention-run').click();
    await figureDrawn(page, 'figure-attention-grid');
    await figureDrawn(page, 'figure-attention-head');
    // Layer 1, head 2 of the 5 × 8 layer × head grid.
    await clickHeatmapCell(page, 'figure-attention-grid', 1, 2, 5, 8);
    await page.locator('[data-testid="figure-attention-head"] .figure-title', { hasText: 'Head L1H2' }).waitFor();
    await figureDrawn(page, 'figure-attention-head');
    await screenshot(page, 'attention');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="figure-attention-head"] [data-testid="export-svg"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('attention-L1H2.svg');
    const svg = readFileSync((await download.path())!, 'utf8');
    // Parsed by the browser's XML parser, which rejects anything that is not well-formed.
    const check = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: doc.documentElement.localName,
        heatmaps: doc.querySelectorAll('g.heatmaplayer g.hm').length,
        images: doc.querySelectorAll('g.heatmaplayer image').length,
        colorbar: doc.querySelectorAll('g.colorbar').length,
        title: doc.querySelector('.gtitle')?.textContent ?? null,
        width: doc.documentElement.getAttribute('width'),
      };
    }, svg);
    expect(check).toMatchObject({ error: null, root: 'svg', heatmaps: 1, images: 1, colorbar: 1, width: '900' });
    expect(check.title).toContain('Attention pattern of L1H2');
  });

  it('cancels a long patching sweep; the app stays responsive and the worker is free again', async () => {
    await page.getByTestId('nav-patching').click();
    await page.getByTestId('prompt-text').fill(LONG_STORY);
    await page.locator('[data-testid="prompt-count"]', { hasText: /^2\d\d tokens/ }).waitFor();
    const view = page.getByTestId('view-patching');
    await view.getByRole('radio', { name: 'Embedding noise' }).click();
    await view.getByLabel('Noised positions').fill('10-12');
    await page.getByTestId('patch-hook').selectOption('z');
    await page.getByTestId('view-patching-run').click();
    // Running: progress counts passes against the sweep's plan.
    const progress = view.getByTestId('job-progress');
    await progress.locator('.job-progress-amount', { hasText: /^[1-9]\d* of \d+ passes/ }).waitFor({ timeout: 180_000 });
    await screenshot(page, 'patching-running');
    // The UI thread is free while the worker computes: switching views answers at once.
    const t0 = Date.now();
    await page.getByTestId('nav-model').click();
    await page.getByTestId('model-card').waitFor({ timeout: 2_000 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    await page.getByTestId('nav-patching').click();
    await view.getByTestId('cancel-job').click();
    await view.getByTestId('job-cancelled').waitFor({ timeout: 15_000 });
    // The worker answers new jobs promptly: the sweep really stopped.
    await page.getByTestId('prompt-text').fill('Once upon a time');
    await page.locator('[data-testid="prompt-count"]', { hasText: /^5 tokens/ }).waitFor({ timeout: 5_000 });
    await screenshot(page, 'patching-cancelled');
  });

  it('logs no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
