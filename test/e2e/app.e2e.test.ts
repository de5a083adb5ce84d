/**
 * The web app end to end in Chromium: first start, the prompt workspace, analyses with figures,
 * figure export, and cancelling a long sweep. Screenshots of every view go to
 * artifacts/screenshots/ for a person to look at.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openApp, screenshot, waitForModel } from './browser.ts';

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl')));
});

afterAll(async () => {
  await browser?.close();
});

async function figureDrawn(testId: string): Promise<void> {
  await page.locator(`[data-testid="${testId}"] .plotly-figure[data-rendered="true"]`).waitFor({ timeout: 60_000 });
}

describe('Probescope web app', () => {
  it('opens the built-in stories260K on first start, with tokens and the next-token list', async () => {
    await waitForModel(page);
    await expect(page.getByTestId('backend-badge').textContent()).resolves.toMatch(/CPU|WebGPU/);
    await page.getByTestId('prompt-tokens').waitFor();
    await page.getByTestId('next-token-list').waitFor();
    const firstToken = await page.locator('[data-testid="prompt-tokens"] .token').first().textContent();
    expect(firstToken).toContain('<s>');
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
    await figureDrawn('figure-logit-lens');
    await screenshot(page, 'logit-lens');
  });

  it('shows attention patterns and exports the head figure as SVG', async () => {
    await page.getByTestId('nav-attention').click();
    await page.getByTestId('view-attention-run').click();
    await figureDrawn('figure-attention-grid');
    await figureDrawn('figure-attention-head');
    await screenshot(page, 'attention');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="figure-attention-head"] [data-testid="export-svg"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('attention-L0H0.svg');
    const svg = readFileSync((await download.path())!, 'utf8');
    const check = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: doc.documentElement.localName,
        heatmaps: doc.querySelectorAll('g.heatmaplayer g.hm').length,
        images: doc.querySelectorAll('g.heatmaplayer image').length,
        title: doc.querySelector('.gtitle')?.textContent ?? null,
      };
    }, svg);
    expect(check.error).toBeNull();
    expect(check.root).toBe('svg');
    expect(check.heatmaps).toBe(1);
    expect(check.images).toBe(1);
    expect(check.title).toContain('Layer 0, head 0');
  });

  it('has no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
