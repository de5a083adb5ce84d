/**
 * Dictionary features end to end in Chromium against the web build (issue 16's acceptance): open
 * the built-in SAE, ask which features fire on the prompt (checked against the same registry
 * method run in Node on the reference CPU backend, the SAE read from disk rather than served),
 * open a feature's dashboard, check the feature id's range, steer with the feature and pin the
 * steered run to a project.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { openBuiltinDictionaries } from '../../analysis/dictionaries/builtin.ts';
import { openBuiltinSource } from '../../analysis/model/builtin.ts';
import { loadHostModel } from '../../analysis/model/load.ts';
import { modelOnBackend } from '../../analysis/model/model.ts';
import type { SearchJson } from '../../analysis/registry/dictionaries.ts';
import { featureSearchStep } from '../../analysis/registry/dictionaries.ts';
import { figureDrawn, launchChromium, openApp, screenshot, waitForModel } from './browser.ts';

const SAE = 'builtin:stories260K-saes/blocks.2.hook_resid_post';
const PROMPT = 'Lily went to the park';

let browser: Browser;
let page: Page;
let problems: string[];
let picked = -1;

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl')));
  await page.setViewportSize({ width: 1440, height: 900 });
  await waitForModel(page);
});

afterAll(async () => {
  await browser?.close();
});

/** feature-search in Node on the reference CPU backend, the built-in model and SAE read from disk. */
async function referenceSearch(): Promise<SearchJson> {
  const parts = await loadHostModel(await openBuiltinSource('builtin:stories260K'));
  const model = modelOnBackend({ ...parts, label: 'builtin:stories260K' }, createCpuBackend());
  const ids = model.tokenizer!.encode(PROMPT, { prependBos: true });
  return (await featureSearchStep.run(model, { dictionary: SAE, prompt: 0, position: -1, top: 20 }, {
    signal: new AbortController().signal,
    onProgress: () => {},
    prompts: { cell: 'reference', items: [{ ids }] },
    dataset: null,
    dictionaries: (ref) => openBuiltinDictionaries(ref),
  })) as SearchJson;
}

const view = () => page.getByTestId('view-dictionaries');
const drawer = () => page.getByTestId('projects-drawer');

describe('dictionary features', () => {
  it('opens the built-in SAE and finds the features that fire on the last token', async () => {
    await page.getByTestId('nav-dictionaries').click();
    await page.getByTestId('prompt-text').fill(PROMPT);
    await page.locator('[data-testid="prompt-count"]', { hasText: /^9 tokens/ }).waitFor({ timeout: 10_000 });
    await page.getByTestId('dictionary-choice').selectOption(SAE);
    await page.getByTestId('search-run').click();
    const chips = view().getByTestId('search-feature');
    await chips.first().waitFor({ timeout: 60_000 });
    // Strongest first, every one active (TopK keeps k = 16 at most).
    const titles = await chips.evaluateAll((els) => els.map((e) => Number((e.getAttribute('title') ?? '').replace('activation ', ''))));
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.length).toBeLessThanOrEqual(16);
    expect(titles.every((a, i) => a > 0 && (i === 0 || a <= titles[i - 1]))).toBe(true);
    const app = await chips.evaluateAll((els) => els.map((e) => ({ feature: Number(e.getAttribute('data-feature')), activation: Number(e.getAttribute('data-activation')) })));
    const want = await referenceSearch();
    expect(app.map((f) => f.feature)).toEqual(want.features.map((f) => f.feature));
    app.forEach((f, i) => expect(Math.abs(f.activation - want.features[i].activation)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(want.features[i].activation)));
    picked = Number(await chips.first().getAttribute('data-feature'));
    await chips.first().click();
    // The field updates on React's next render after the click: poll rather than read once.
    await expect.poll(() => page.getByTestId('dictionary-feature').inputValue()).toBe(String(picked));
  });

  it('opens the feature dashboard: highlighted top contexts, histogram, logit weights, nearest features', async () => {
    await page.getByTestId('dictionary-samples').fill('16');
    await page.getByTestId('dictionary-length').fill('32');
    await page.getByTestId('view-dictionaries-run').click();
    await figureDrawn(page, 'feature-histogram');
    await figureDrawn(page, 'feature-logits');
    await figureDrawn(page, 'feature-neighbours');
    // At 1024 px the histogram's long caption wraps beside its title; the title keeps one line.
    await page.setViewportSize({ width: 1024, height: 700 });
    const title = page.locator('[data-testid="feature-histogram"] .figure-title');
    await expect(title.evaluate((e) => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))).resolves.toBeLessThan(1.5);
    await page.setViewportSize({ width: 1440, height: 900 });
    const summary = await page.getByTestId('feature-summary').textContent();
    expect(summary).toContain(`${SAE} (256 features)`);
    expect(summary).toContain('16 samples');
    const contexts = view().getByTestId('feature-context');
    expect(await contexts.count()).toBeGreaterThan(0);
    // The feature fires on the prompt, so it fires somewhere in a corpus of the model's own text;
    // the first context is the strongest, its activating token shaded fully.
    const focus = contexts.first().locator('.feature-token-focus');
    expect(await focus.count()).toBe(1);
    expect(await focus.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(214, 96, 77)');
  });

  it('refuses a feature id outside the dictionary with a message', async () => {
    await page.getByTestId('dictionary-feature').fill('256');
    await view().getByText('256 is out of range (from 0 to 255)').first().waitFor();
    expect(await page.getByTestId('view-dictionaries-run').isDisabled()).toBe(true);
    expect(await page.getByTestId('steer-run').isDisabled()).toBe(true);
    await page.getByTestId('dictionary-feature').fill(String(picked));
    expect(await page.getByTestId('steer-run').isDisabled()).toBe(false);
  });

  it('steers with the feature beside the clean text and pins the run to a project', async () => {
    await page.getByTestId('steer-value').fill('8');
    await page.getByTestId('steer-run').click();
    const result = page.getByTestId('steer-result');
    await result.waitFor({ timeout: 60_000 });
    const clean = (await page.getByTestId('steer-clean').textContent()) ?? '';
    const steered = (await page.getByTestId('steer-steered').textContent()) ?? '';
    expect(clean.startsWith(`<s> ${PROMPT}`) || clean.startsWith(PROMPT)).toBe(true);
    expect(steered.slice(0, clean.indexOf(PROMPT) + PROMPT.length)).toBe(clean.slice(0, clean.indexOf(PROMPT) + PROMPT.length));
    // Adding 8 × the feature's decoder direction at every position changes the greedy text.
    expect(steered).not.toBe(clean);

    await result.getByTestId('pin-to-project').click();
    if (await drawer().isHidden()) await page.getByTestId('projects-toggle').click();
    await drawer().waitFor();
    await expect.poll(() => drawer().getByTestId('experiment-row').count(), { timeout: 20_000 }).toBe(1);
    expect(await drawer().getByTestId('experiment-row').first().textContent()).toContain(`feature ${picked}: add 8`);
    await drawer().locator('[data-testid="pinned-figure"] .plotly-figure[data-rendered="true"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('projects-toggle').click();
    await screenshot(page, 'dictionary-features');
  });

  it('shows the progress of a long dashboard run and cancels it', async () => {
    await page.getByTestId('dictionary-samples').fill('2048');
    await page.getByTestId('dictionary-length').fill('256');
    await page.getByTestId('view-dictionaries-run').click();
    const status = page.locator('.view-status');
    await status.getByTestId('job-progress').waitFor({ timeout: 10_000 });
    await status.getByTestId('cancel-job').click();
    await status.getByTestId('job-cancelled').waitFor({ timeout: 10_000 });
  });

  it('patches each feature of the SAE and its error term in the activation patching view', async () => {
    await page.getByTestId('nav-patching').click();
    const view = page.getByTestId('view-patching');
    await view.getByRole('radio', { name: 'Embedding noise' }).click();
    await view.getByLabel('Noised positions').fill('1-2');
    await page.getByTestId('patch-hook').selectOption('features');
    await page.getByTestId('patch-dictionary').selectOption(SAE);
    // The styled box covers the input, so the label is what a person clicks.
    await view.getByText('Per position', { exact: true }).click();
    await expect.poll(() => view.getByLabel('Per position').isChecked()).toBe(false);
    await page.getByTestId('view-patching-run').click();
    await figureDrawn(page, 'figure-patching');
    const drawn = await page.evaluate(() => {
      const gd = document.querySelector('[data-testid="figure-patching"] .js-plotly-plot') as unknown as { data: { x: string[]; y: string[]; z: (number | null)[][] }[] };
      return { x: gd.data[0].x, y: gd.data[0].y, row: gd.data[0].z[0] };
    });
    // One row (the dictionary), a column per feature (d_sae 256) and the error term last.
    expect(drawn.y).toHaveLength(1);
    expect(drawn.x).toHaveLength(257);
    expect(drawn.x.at(-1)).toBe('error');
    expect(drawn.row.every((v) => v === null || Number.isFinite(v))).toBe(true);
    // Noise on positions 1-2 moves the features there: some cell restores part of the metric.
    expect(drawn.row.some((v) => v !== null && Math.abs(v) > 1e-3)).toBe(true);
    await screenshot(page, 'patching-features');
  });

  it('has no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
