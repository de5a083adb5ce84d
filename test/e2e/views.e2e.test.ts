/**
 * Every method view, run once on stories260K with its defaults (on the CPU backend, which is
 * faster than SwiftShader's software WebGPU for a model this small), with the drill-downs that
 * heatmaps offer. Each view leaves a screenshot in artifacts/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clickHeatmapCell, figureDrawn, launchChromium, openApp, screenshot, waitForModel } from './browser.ts';

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl'), '?backend=cpu#neurons'));
  await waitForModel(page);
  await expect(page.getByTestId('backend-badge').textContent()).resolves.toBe('CPU');
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a view, presses its Run button and waits for the job to finish. */
async function runView(id: string): Promise<void> {
  await page.getByTestId(`nav-${id}`).click();
  await page.getByTestId(`view-${id}-run`).click();
  await page.locator(`[data-testid="view-${id}"] .view-status .job-note`).waitFor({ timeout: 120_000 });
  const failed = await page.locator(`[data-testid="view-${id}"] .view-status [role="alert"]`).count();
  expect(failed, `${id} failed`).toBe(0);
}

describe('method views', () => {
  it('neuron decoding', async () => {
    await runView('neurons');
    await page.getByTestId('table-neuron').waitFor();
    await screenshot(page, 'neurons');
  });

  it('head scores, with a head opened on the random sequence', async () => {
    await runView('head-scores');
    await figureDrawn(page, 'figure-head-scores');
    await clickHeatmapCell(page, 'figure-head-scores', 1, 3, 5, 8);
    await figureDrawn(page, 'figure-head-scores-pattern');
    await screenshot(page, 'head-scores');
  });

  it('direct logit attribution, with a head split by source position', async () => {
    await runView('dla');
    await figureDrawn(page, 'figure-dla-bars');
    await clickHeatmapCell(page, 'figure-dla-heads', 0, 5, 5, 8);
    await figureDrawn(page, 'figure-dla-sources');
    await screenshot(page, 'dla');
  });

  it('LinearScope', async () => {
    await runView('linearscope');
    await figureDrawn(page, 'figure-linearscope');
    await screenshot(page, 'linearscope');
  });

  it('ObsProp feature table, a picked head decoded with values, and coupling matrix', async () => {
    await runView('obsprop');
    await page.getByTestId('obsprop-table').waitFor();
    // Picking the second row shows that head's feature decoded: 8 tokens each side, each beside its value.
    const row = page.locator('[data-testid="obsprop-table"] tbody tr').nth(1);
    const head = await row.locator('td').nth(1).textContent();
    await row.click();
    const decoded = page.getByTestId('obsprop-decoded');
    await decoded.locator('.decoded-title', { hasText: `Feature of ${head} decoded` }).waitFor();
    const values = await decoded.locator('.token-value-number').allTextContents();
    expect(values).toHaveLength(16);
    for (const v of values) expect(v).toMatch(/^-?\d+\.\d{3}$/);
    await figureDrawn(page, 'figure-obsprop-coupling');
    await screenshot(page, 'obsprop');
  });

  it('head ablation, with one head drilled down', async () => {
    await runView('ablation');
    await figureDrawn(page, 'figure-ablation');
    await clickHeatmapCell(page, 'figure-ablation', 3, 0, 5, 8);
    await figureDrawn(page, 'figure-ablation-moved', 60_000);
    await screenshot(page, 'ablation');
  });

  it('activation patching, with a cell drilled down', async () => {
    await runView('patching');
    await figureDrawn(page, 'figure-patching');
    const columns = await page.locator('[data-testid="prompt-count"]').textContent();
    const n = Number(/^(\d+)/.exec(columns ?? '')?.[1]);
    await clickHeatmapCell(page, 'figure-patching', 2, n - 1, 5, n);
    await page.getByTestId('patching-detail').waitFor();
    await screenshot(page, 'patching');
  });

  it('path patching to the logits', async () => {
    await runView('path-patching');
    await figureDrawn(page, 'figure-path-patching');
    await screenshot(page, 'path-patching');
  });

  it('attribution patching beside exact patching', async () => {
    await runView('attribution');
    await figureDrawn(page, 'figure-attribution-scatter');
    await screenshot(page, 'attribution');
  });

  it('retrieval heads on a small needle-in-a-haystack set', async () => {
    await page.getByTestId('nav-retrieval').click();
    const view = page.getByTestId('view-retrieval');
    await view.getByLabel('Context lengths').fill('64');
    await view.getByLabel('Depths (%)').fill('0, 100');
    // Keep one needle (the checkboxes are styled: click their labels).
    await view.getByText('The little dog was named Spot.').click();
    await expect(page.getByTestId('view-retrieval-run').textContent()).resolves.toBe('Score 2 prompts');
    await runView('retrieval');
    await figureDrawn(page, 'figure-retrieval');
    await screenshot(page, 'retrieval');
  });

  it('linear probes by layer', async () => {
    await page.getByTestId('nav-probe').click();
    const datasets = page.getByTestId('view-probe').getByRole('radiogroup', { name: 'Dataset' });
    // The JSON option opens the file picker (it did nothing before); cancelling keeps the built-in set.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), datasets.getByRole('radio', { name: 'JSON file…' }).click()]);
    expect(chooser.isMultiple()).toBe(false);
    await expect(datasets.getByRole('radio', { name: 'Built-in' }).getAttribute('aria-checked')).resolves.toBe('true');
    // Before a run the results area says how to get them; the figure replaces the hint.
    await expect(page.getByTestId('view-probe-empty').textContent()).resolves.toContain('Train probes');
    await runView('probe');
    await figureDrawn(page, 'figure-probe');
    expect(await page.getByTestId('view-probe-empty').count()).toBe(0);
    await screenshot(page, 'probe');
  });

  it('keeps every view inside a 1280- and a 1024-pixel-wide window: a figure wider than its card scrolls inside it', async () => {
    for (const [width, height] of [[1280, 800], [1024, 700]]) {
      await page.setViewportSize({ width, height });
      for (const id of ['neurons', 'head-scores', 'dla', 'linearscope', 'obsprop', 'ablation', 'patching', 'path-patching', 'attribution', 'retrieval', 'probe']) {
        await page.getByTestId(`nav-${id}`).click();
        const fits = await page.evaluate(() => ({
          page: document.documentElement.scrollWidth <= window.innerWidth,
          cards: [...document.querySelectorAll<HTMLElement>('.view-slot:not([hidden]) .figure-card')].every((c) => c.scrollWidth <= c.clientWidth),
        }));
        expect(fits, `${id} at ${width} px`).toEqual({ page: true, cards: true });
      }
    }
    await page.setViewportSize({ width: 1440, height: 960 });
  });

  it('logs no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
