/**
 * The attribution-graph view on stories260K with its built-in transcoders (CPU backend): trace
 * the prompt, read the scores, hide error nodes, click a feature node for its edges and its
 * dashboard, group it into a supernode. Leaves a screenshot in artifacts/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { figureDrawn, launchChromium, openApp, screenshot, waitForModel } from './browser.ts';

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl'), '?backend=cpu#attribution-graph'));
  await waitForModel(page);
  await page.setViewportSize({ width: 1440, height: 900 });
});

afterAll(async () => {
  await browser?.close();
});

/** Hovers then clicks the centre of the first marker of a figure's node trace `trace` (0 = features). */
async function clickNode(testId: string, trace: number): Promise<void> {
  const points = page.locator(`[data-testid="${testId}"] .scatterlayer .trace`).filter({ has: page.locator('path.point') });
  const point = points.nth(trace).locator('path.point').first();
  await point.scrollIntoViewIfNeeded();
  const box = await point.boundingBox();
  if (!box) throw new Error(`${testId}: no node to click`);
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.move(x, y);
  await page.waitForTimeout(150);
  await page.mouse.click(x, y);
}

describe('attribution graph view', () => {
  it('traces the prompt, exactly linear, with scores; a feature node shows its edges, its dashboard and joins a supernode', async () => {
    await page.getByTestId('view-attribution-graph-run').click();
    await figureDrawn(page, 'figure-attribution-graph', 240_000);
    const scores = await page.getByTestId('graph-scores').textContent();
    expect(scores).toMatch(/Replacement score/);
    expect(scores).toMatch(/Completeness score/);
    const exactness = Number(/Exactness[^0-9]*([0-9.e-]+)/.exec(scores ?? '')?.[1]);
    expect(exactness).toBeLessThan(1e-4);

    const errorsBefore = await page.locator('[data-testid="figure-attribution-graph"] .legendtext').allTextContents();
    expect(errorsBefore).toContain('error');
    await page.getByTestId('graph-hide-errors').click();
    await expect.poll(() => page.locator('[data-testid="figure-attribution-graph"] .legendtext').allTextContents()).not.toContain('error');

    await clickNode('figure-attribution-graph', 0);
    await page.getByTestId('graph-node').waitFor();
    expect(await page.getByTestId('graph-node-incoming').locator('li').count()).toBeGreaterThan(0);

    await page.getByTestId('graph-open-dashboard').click();
    await page.getByTestId('graph-dashboard').waitFor({ timeout: 240_000 });

    await page.getByTestId('graph-add-to-group').click();
    await expect.poll(() => page.getByTestId('graph-supernodes').textContent()).toMatch(/group 1: 1 nodes/);
    await screenshot(page, 'attribution-graph');
    expect(problems).toEqual([]);
  });
});
