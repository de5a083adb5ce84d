/**
 * A dictionary folder of the user's own, end to end in Chromium against the web build: a copy of
 * the fixture TopK SAE (SAELens folder) is picked through the folder input, checked against the
 * built-in model, its dashboards for all features computed and stored in the project database;
 * choosing it again shows the stored dashboards without running, another corpus is not found
 * stored, and a folder that does not fit the model is refused with the hook and width named.
 * After a reload, a built-in SAE's feature read back from the store (its one chunk) shows what
 * the fresh run showed for it.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { saeFolder } from '../dictionary-goldens.ts';
import { figureDrawn, launchChromium, openApp, waitForModel } from './browser.ts';

let browser: Browser;
let page: Page;
let problems: string[];
const temp = mkdtempSync(path.join(tmpdir(), 'probescope-dict-'));
const sae = path.join(temp, 'my-topk-sae');
const misfit = path.join(temp, 'gemma-sae');
cpSync(saeFolder('stories260K-hf', 'topk-L2-resid_post'), sae, { recursive: true });
cpSync(saeFolder('gemma3-tiny', 'standard-L2-resid_post'), misfit, { recursive: true });

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl')));
  await page.setViewportSize({ width: 1440, height: 900 });
  await waitForModel(page);
  await page.getByTestId('nav-dictionaries').click();
});

afterAll(async () => {
  await browser?.close();
  rmSync(temp, { recursive: true, force: true });
});

const summary = () => page.getByTestId('feature-summary');
const run = () => page.getByTestId('view-dictionaries-run');

describe('a dictionary folder of the user', () => {
  it('opens the folder, computes and stores its dashboards for all features', async () => {
    await page.getByTestId('dictionary-folder-input').setInputFiles(sae);
    await page.getByTestId('dictionary-opened').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('dictionary-opened').textContent()).toContain('my-topk-sae: 1 dictionary');
    await expect.poll(() => page.getByTestId('dictionary-choice').inputValue()).toMatch(/^folder:\d+\/my-topk-sae#blocks\.2\.hook_resid_post$/);
    await page.getByTestId('dictionary-samples').fill('6');
    await page.getByTestId('dictionary-length').fill('24');
    await page.getByTestId('dashboards-missing').waitFor({ timeout: 10_000 });
    expect(await run().textContent()).toContain('Compute dashboards for all features');
    await run().click();
    await figureDrawn(page, 'feature-histogram');
    await expect.poll(() => summary().textContent(), { timeout: 20_000 }).toMatch(/Stored\s*[\d.]+ KB, computed/);
    const text = (await summary().textContent()) ?? '';
    expect(text).toContain('my-topk-sae (256 features)');
    expect(text).toContain('6 samples');
    await page.getByTestId('feature-contexts').waitFor();
    expect(await run().textContent()).toContain('Recompute dashboards');
  });

  it('shows the stored dashboards again without running; another corpus is computed separately', async () => {
    const folderChoice = await page.getByTestId('dictionary-choice').inputValue();
    await page.getByTestId('dictionary-choice').selectOption('builtin:stories260K-saes/blocks.2.hook_resid_post');
    await page.getByTestId('dashboards-missing').waitFor({ timeout: 10_000 });
    await page.getByTestId('dictionary-choice').selectOption(folderChoice);
    await expect.poll(() => summary().textContent(), { timeout: 10_000 }).toContain('my-topk-sae (256 features)');
    // Read from the store (the button offers to recompute), and any feature is shown at once.
    expect(await run().textContent()).toContain('Recompute dashboards');
    await page.getByTestId('dictionary-feature').fill('7');
    await expect.poll(() => summary().textContent()).toMatch(/Feature\s*7/);
    await page.getByTestId('dictionary-samples').fill('5');
    await page.getByTestId('dashboards-missing').waitFor({ timeout: 10_000 });
    await page.getByTestId('dictionary-samples').fill('6');
    await expect.poll(() => summary().textContent(), { timeout: 10_000 }).toContain('6 samples');
  });

  it('refuses a folder whose dictionary does not fit the model, naming the hook and width', async () => {
    await page.getByTestId('dictionary-folder-input').setInputFiles(misfit);
    const error = page.getByTestId('dictionary-open-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/gemma-sae: input width \d+ does not match blocks\.2\.hook_resid_post, which is 64 wide/);
  });

  it('after a reload, a feature read back from the store shows what the fresh run showed', async () => {
    const SAE = 'builtin:stories260K-saes/blocks.1.hook_resid_post';
    const choose = async () => {
      await page.getByTestId('dictionary-choice').selectOption(SAE);
      await page.getByTestId('dictionary-samples').fill('6');
      await page.getByTestId('dictionary-length').fill('24');
      await page.getByTestId('dictionary-feature').fill('200');
    };
    const feature200 = async () => {
      await expect.poll(() => summary().textContent(), { timeout: 20_000 }).toMatch(/Feature\s*200/);
      await expect.poll(() => page.getByTestId('feature-contexts').textContent()).toContain('feature 200');
      // Everything but the 'Stored' line (not stored yet, or the size and time).
      const text = ((await summary().textContent()) ?? '').replace(/Stored.*?Feature/, 'Feature');
      return { summary: text, contexts: await page.getByTestId('feature-contexts').textContent() };
    };
    await choose();
    await page.getByTestId('dashboards-missing').waitFor({ timeout: 10_000 });
    await run().click();
    await figureDrawn(page, 'feature-histogram');
    // The fresh run's own chunks (it is the current choice), before and after it is stored.
    const fresh = await feature200();
    await expect.poll(() => summary().textContent(), { timeout: 20_000 }).toMatch(/Stored\s*[\d.]+ KB, computed/);

    await page.reload();
    await waitForModel(page);
    await page.getByTestId('nav-dictionaries').click();
    await choose();
    expect(await feature200()).toEqual(fresh);
    expect(fresh.summary).toContain('(256 features)');
    expect(await run().textContent()).toContain('Recompute dashboards');
  });

  it('has no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
