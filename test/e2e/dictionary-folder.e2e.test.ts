/**
 * A dictionary folder of the user's own, end to end in Chromium against the web build: a copy of
 * the fixture TopK SAE (SAELens folder) is picked through the folder input, checked against the
 * built-in model, its dashboards for all features computed and stored in the project database;
 * choosing it again shows the stored dashboards without running, another corpus is not found
 * stored, and a folder that does not fit the model is refused with the hook and width named.
 * A cross-layer transcoder folder (written here, random weights) is recognised by its files and
 * listed as one, with its layers and width: the feature views say why they do not take it; spliced
 * into every method without its error term, LinearScope shows the registry's refusal and the logit
 * lens runs (and, once the choice is none, says the splice has changed since, until Run again);
 * the attribution graph offers it as transcoders; without one of its W_dec files it is refused
 * naming it.
 * After a reload, a built-in SAE's feature read back from the store (its one chunk) shows what
 * the fresh run showed for it.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gaussian } from '../../analysis/model/random.ts';
import { cltFolderFiles } from '../clt-files.ts';
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
const clt = path.join(temp, 'my-clt');
const brokenClt = path.join(temp, 'broken-clt');

/** A random JumpReLU CLT for stories260K (5 layers, d_model 64, 16 features per layer), and a copy without W_dec_3. */
async function writeCltFolders(): Promise<void> {
  const normal = gaussian(7);
  const draw = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
  const files = await cltFolderFiles({ spec: { nLayers: 5, dModel: 64 } }, 16, async () => ({ wEnc: draw(16 * 64, 0.125), bEnc: draw(16, 0.1), bDec: draw(64, 0.1), threshold: draw(16, 0.1).map(Math.abs) }), async () => draw(16 * 64, 0.3));
  for (const dir of [clt, brokenClt]) mkdirSync(dir);
  for (const [name, bytes] of Object.entries(files)) {
    writeFileSync(path.join(clt, name), bytes);
    if (name !== 'W_dec_3.safetensors') writeFileSync(path.join(brokenClt, name), bytes);
  }
}

beforeAll(async () => {
  await writeCltFolders();
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

  it('opens a cross-layer transcoder folder, lists it with its layers and width, and refuses one without a W_dec file', async () => {
    await page.getByTestId('dictionary-folder-input').setInputFiles(clt);
    await expect.poll(() => page.getByTestId('dictionary-opened').textContent(), { timeout: 30_000 }).toContain('my-clt: cross-layer transcoder, 5 layers × 16 features');
    await expect.poll(() => page.getByTestId('dictionary-choice').inputValue()).toMatch(/^folder:\d+\/my-clt#clt$/);
    expect(await page.getByTestId('dictionary-cross-layer').textContent()).toContain('my-clt is a cross-layer transcoder: feature dashboards, steering and search read one SAE or per-layer transcoder');
    expect(await run().isDisabled()).toBe(true);
    // Spliced into every method's run without its error term: LinearScope shows the registry's
    // refusal, the logit lens runs on the replacement model.
    await page.getByTestId('splice-dictionaries').selectOption({ label: 'my-clt (cross-layer transcoder, 5 layers × 16 features)' });
    await page.getByRole('radio', { name: 'Reconstruction only' }).click();
    expect(await page.getByTestId('spliced-badge').first().textContent()).toContain('spliced · reconstruction only');
    const runIn = async (id: string) => {
      await page.getByTestId(`nav-${id}`).click();
      await page.getByTestId(`view-${id}-run`).click();
      await page.locator(`[data-testid="view-${id}"] .view-status :is(.job-note, [role="alert"])`).waitFor({ timeout: 60_000 });
      return page.locator(`[data-testid="view-${id}"] .view-status`).textContent();
    };
    expect(await runIn('linearscope')).toMatch(/LinearScope: the cross-layer transcoder folder:\d+\/my-clt is spliced into the MLP outputs without its error term/);
    expect(await runIn('logit-lens')).toMatch(/^Done in/);
    await page.getByTestId('nav-dictionaries').click();
    await page.getByTestId('splice-dictionaries').selectOption('');
    expect(await page.getByTestId('spliced-badge').count()).toBe(0);
    await page.getByTestId('nav-attribution-graph').click();
    const transcoders = page.getByTestId('graph-transcoders');
    await transcoders.selectOption({ label: 'my-clt (cross-layer transcoder, 5 layers × 16 features)' });
    expect(await transcoders.inputValue()).toMatch(/^folder:\d+\/my-clt$/);
    // Opened views stay mounted: the attribution graph's own picker.
    const graphView = page.getByTestId('view-attribution-graph');
    await graphView.getByTestId('dictionary-folder-input').setInputFiles(brokenClt);
    await expect.poll(() => graphView.getByTestId('dictionary-open-error').textContent(), { timeout: 30_000 }).toContain('broken-clt: W_dec_3.safetensors not found');
    await page.getByTestId('nav-dictionaries').click();
  });

  it('a result computed with the CLT spliced says the splice has changed since; Run again clears it', async () => {
    // The logit lens ran with the CLT spliced without its error term; the choice is now none.
    await page.getByTestId('nav-logit-lens').click();
    const stale = page.getByTestId('view-logit-lens').getByTestId('interventions-stale');
    await expect
      .poll(() => stale.textContent())
      .toBe('Computed with my-clt (cross-layer transcoder, 5 layers × 16 features) spliced (reconstruction only); the spliced dictionaries have changed since (methods now run with no dictionaries spliced). Run again');
    await stale.getByTestId('interventions-stale-rerun').click();
    // The notice goes once the rerun starts; the status says when it has finished.
    await expect.poll(() => page.locator('[data-testid="view-logit-lens"] .view-status').textContent(), { timeout: 60_000 }).toMatch(/^Done in/);
    expect(await stale.count()).toBe(0);
    await page.getByTestId('nav-dictionaries').click();
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
