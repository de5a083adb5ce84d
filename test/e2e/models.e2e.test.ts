/**
 * Opening local model folders in the browser (the folder <input>, read lazily through
 * FileListSource): a broken folder gives the loader's message and keeps the open model; a
 * valid Hugging Face folder replaces it and gets its model card.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openApp, screenshot, waitForModel } from './browser.ts';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/gpt2-tiny');
let browser: Browser;
let page: Page;
let broken: string;

beforeAll(async () => {
  // The fixture without its weights.
  broken = path.join(mkdtempSync(path.join(tmpdir(), 'probescope-e2e-')), 'no-weights');
  mkdirSync(broken);
  for (const name of readdirSync(fixture)) if (!name.endsWith('.safetensors')) copyFileSync(path.join(fixture, name), path.join(broken, name));
  browser = await launchChromium();
  ({ page } = await openApp(browser, inject('baseUrl'), '?backend=cpu#model'));
  await waitForModel(page);
});

afterAll(async () => {
  await browser?.close();
  rmSync(path.dirname(broken), { recursive: true, force: true });
});

describe('local model folders', () => {
  it('shows the loader’s message for a folder without weights and keeps stories260K open', async () => {
    await page.getByTestId('folder-input').setInputFiles(broken);
    const message = await page.getByTestId('load-error').textContent({ timeout: 30_000 });
    expect(message).toMatch(/^no-weights: .*safetensors/);
    await expect(page.getByTestId('model-name').textContent()).resolves.toBe('builtin:stories260K');
  });

  it('opens a Hugging Face folder and shows its model card', async () => {
    await page.getByTestId('folder-input').setInputFiles(fixture);
    await page.getByTestId('model-name').filter({ hasText: 'gpt2-tiny' }).waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('card-backend').textContent()).resolves.toMatch(/^CPU/);
    await expect(page.locator('.model-card .badge').textContent()).resolves.toBe('GPT2LMHeadModel');
    await screenshot(page, 'model-local-folder');
  });
});
