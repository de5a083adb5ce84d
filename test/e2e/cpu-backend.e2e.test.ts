/**
 * The app's CPU backend is the fast one (gpu/wasm): the served build is cross-origin isolated
 * (COOP/COEP from the vite config), so its GEMMs run on worker threads on a shared WebAssembly
 * memory; the reference stays selectable as cpu-ref. The model card names each.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openApp, waitForModel } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('CPU backends in the app', () => {
  it('cpu is the fast backend, threaded in the cross-origin isolated page; cpu-ref the reference', async () => {
    const { page, problems } = await openApp(browser, inject('baseUrl'), '?backend=cpu#model');
    await waitForModel(page);
    const isolated = await page.evaluate(() => crossOriginIsolated);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(isolated).toBe(true);
    const card = await page.getByTestId('card-backend').textContent();
    expect(card).toMatch(/^CPU · CPU \(WebAssembly SIMD128( \+ relaxed FMA)?, (\d+) threads?\)$/);
    expect(Number(/(\d+) threads?/.exec(card!)![1])).toBe(cores);
    expect(problems).toEqual([]);

    const ref = await openApp(browser, inject('baseUrl'), '?backend=cpu-ref#model');
    await waitForModel(ref.page);
    await expect(ref.page.getByTestId('card-backend').textContent()).resolves.toBe('CPU · CPU (JavaScript reference)');
  });
});
