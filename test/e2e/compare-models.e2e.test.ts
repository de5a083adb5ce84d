/**
 * The Model page's "Compare with another checkpoint…": with stories260K's F32 GGUF open, picking
 * its Q8_0 GGUF through the compare file input runs both on the prompt and draws the difference.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compareModels, type ModelComparison } from '../../analysis/methods/compare-models.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { loadGgufFixture } from '../gguf-reference.ts';
import { figureDrawn, launchChromium, openApp, SCREENSHOTS, waitForModel } from './browser.ts';

const GGUF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/gguf/stories260K');
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl'), '?backend=cpu#model'));
  await page.setViewportSize({ width: 1440, height: 900 });
  await waitForModel(page);
});

afterAll(async () => {
  await browser?.close();
});

describe('compare two checkpoints in the app', () => {
  it('opens f32.gguf, compares it with q8_0.gguf and draws KL, logit and residual differences', async () => {
    await page.getByTestId('gguf-input').setInputFiles(path.join(GGUF, 'f32.gguf'));
    await page.getByTestId('model-name').filter({ hasText: 'f32.gguf' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('compare-gguf-input').setInputFiles(path.join(GGUF, 'q8_0.gguf'));
    await figureDrawn(page, 'figure-compare-kl', 60_000);
    await figureDrawn(page, 'figure-compare-logits', 60_000);
    await figureDrawn(page, 'figure-compare-resid', 60_000);
    const summary = await page.getByTestId('compare-models-summary').textContent();
    expect(summary).toMatch(/^A = f32\.gguf, B = q8_0\.gguf · \d+ tokens · max \|Δlogit\| [\d.e+-]+ · mean KL [\d.e+-]+ · argmax agreement [\d.]+%$/);
    // Q8_0 moves the logits: a comparison of a model with itself would read 0 here.
    expect(Number(/max \|Δlogit\| ([\d.e+-]+)/.exec(summary!)![1])).toBeGreaterThan(0);
    // The export bar's CSV: one row per prompt token.
    const tokens = Number(/· (\d+) tokens ·/.exec(summary!)![1]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('figure-compare-kl').getByTestId('export-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('position,token_id,token,kl,max_abs_logit_diff,argmax_a,argmax_b,argmax_agree');
    expect(csv).toHaveLength(tokens + 1);
    // The app's numbers (its JSON export) are those of compare-models run here in Node on the reference CPU backend.
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('figure-compare-kl').getByTestId('export-json').click()]);
    const exported = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8')) as ModelComparison;
    expect(exported.ids).toHaveLength(tokens);
    const cpu = createCpuBackend();
    const direct = await compareModels(await loadGgufFixture('f32', cpu), await loadGgufFixture('q8_0', cpu), exported.ids);
    direct.positions.forEach((d, p) => {
      const got = exported.positions[p];
      expect(Math.abs(got.kl - d.kl), `KL at ${p}`).toBeLessThan(1e-6 + 1e-3 * d.kl);
      expect(Math.abs(got.maxAbsLogitDiff - d.maxAbsLogitDiff), `max |Δlogit| at ${p}`).toBeLessThan(1e-4 + 1e-3 * d.maxAbsLogitDiff);
      expect([got.top1A, got.top1B]).toEqual([d.top1A, d.top1B]);
    });
    direct.residRelDiffMean.forEach((d, l) => expect(Math.abs(exported.residRelDiffMean[l] - d), `layer ${l}`).toBeLessThan(1e-5 + 1e-3 * d));
    await page.getByTestId('compare-models-panel').evaluate((panel) => panel.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'model-compare-checkpoints.png') });
    await page.getByTestId('figure-compare-resid').evaluate((figure) => figure.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'model-compare-residual.png') });
    expect(problems).toEqual([]);
  });
});
