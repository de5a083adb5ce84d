/**
 * The workbench as a researcher meets it (issue #15), in Debian's Chromium at 1440 × 900: Auto
 * on the software adapter takes the CPU and says why; token fields take an id, a quoted token
 * string or one token of text and refuse the rest; an exported lens SVG shows "<s>"; a pinned
 * run reopens in its view with the same figure; undo restores an edited prompt; the keyboard
 * shortcuts; and a screenshot of every view (artifacts/screenshots/ux-*.png) for a person to
 * look at.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { figureDrawn, launchChromium, SCREENSHOTS, waitForModel } from './browser.ts';
import path from 'node:path';
import { mkdirSync } from 'node:fs';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // No ?backend: the preference is Auto.
  await page.goto(inject('baseUrl'));
  await waitForModel(page);
});

afterAll(async () => {
  await browser?.close();
});

/** What the reader sees at 1440 × 900 (the viewport, from the top). */
async function shot(name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `ux-${name}.png`) });
}

describe('the workbench as a researcher meets it', () => {
  it('Auto on a software WebGPU adapter runs on the CPU and says why', async () => {
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? `${a.info.vendor} ${a.info.architecture}` : null;
    });
    // This machine's Chromium has only SwiftShader (the premise of the test).
    expect(adapter).toMatch(/swiftshader/);
    await expect(page.getByTestId('backend-badge').textContent()).resolves.toBe('CPU');
    await expect(page.getByTestId('backend-note').textContent()).resolves.toMatch(/^Auto chose the CPU: the only WebGPU adapter is SwiftShader, a software renderer/);
  });

  it('token fields take an id, a quoted token string or one token of text, and refuse anything else', async () => {
    await page.getByTestId('nav-dla').click();
    const view = page.getByTestId('view-dla');
    const answer = view.getByTestId('metric-answer');
    const resolved = view.getByTestId('metric-answer-resolved');
    const run = page.getByTestId('view-dla-run');
    await page.getByTestId('prompt-tokens').waitFor();
    // What "auto" means is said in full under the field (wrapped, not cut off with an ellipsis).
    const wrongHelp = view.getByTestId('metric-wrong-resolved');
    await expect(wrongHelp.textContent()).resolves.toBe('auto: none (logit of the answer)');
    await expect(wrongHelp.evaluate((e) => e.scrollWidth <= e.clientWidth)).resolves.toBe(true);

    await answer.fill('9999');
    await resolved.filter({ hasText: 'token id 9999 is outside the vocabulary: ids run from 0 to 511' }).waitFor();
    await expect(run.isDisabled()).resolves.toBe(true);
    await expect(view.locator('.view-blocked').textContent()).resolves.toContain('Answer token: token id 9999 is outside');

    await answer.fill('" time"');
    await resolved.filter({ hasText: '→ ·time (id 378)' }).waitFor();
    await expect(run.isEnabled()).resolves.toBe(true);

    await answer.fill('Lily Tim');
    await resolved.filter({ hasText: '“Lily Tim” is 2 tokens: ·Lily (317) ·Tim (326), not one token' }).waitFor();
    await expect(run.isDisabled()).resolves.toBe(true);
    await shot('token-refused');

    await answer.fill('Lily');
    await resolved.filter({ hasText: '→ ·Lily (id 317)' }).waitFor();
    await expect(run.isEnabled()).resolves.toBe(true);
  });

  it('at 1280 × 800 the next-token bars keep a readable length and Add sits on its fields\' line', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('nav-prompt').click();
    await page.getByTestId('next-token-list').waitFor({ timeout: 60_000 });
    const bar = await page.locator('[data-testid="next-token-list"] .topk-bar').first().evaluate((e) => e.getBoundingClientRect().width);
    expect(bar).toBeGreaterThanOrEqual(60);
    const [add, hook] = await Promise.all([page.getByTestId('intervention-add').boundingBox(), page.getByTestId('intervention-hook').boundingBox()]);
    expect(Math.abs(add!.y + add!.height / 2 - (hook!.y + hook!.height / 2))).toBeLessThanOrEqual(2);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('exports a logit-lens SVG whose position-0 label is "<s>", escaped', async () => {
    await page.getByTestId('nav-logit-lens').click();
    await page.getByTestId('view-logit-lens-run').click();
    await figureDrawn(page, 'figure-logit-lens');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="figure-logit-lens"] [data-testid="export-svg"]').click()]);
    const svg = readFileSync((await download.path())!, 'utf8');
    // Written as an entity in the file (Plotly writes &#60;s&#62;), read back as the text "<s>".
    expect(/>0: (&lt;|&#60;)s(&gt;|&#62;)</.test(svg)).toBe(true);
    const labels = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, ticks: [...doc.querySelectorAll('.xtick text')].map((t) => t.textContent) };
    }, svg);
    expect(labels.error).toBeNull();
    expect(labels.ticks[0]).toBe('0: <s>');
    // Every tick label has its token (none blank, no markup eaten).
    for (const t of labels.ticks) expect(t).toMatch(/^\d+: \S/);
  });

  it('reopens a pinned run in its view with the same figure', async () => {
    const lens = page.getByTestId('figure-logit-lens');
    await lens.getByTestId('pin-to-project').click();
    await lens.getByText('Pinned ✓').waitFor();
    const original = await lens.locator('.plotly-figure').evaluate((el) => JSON.stringify((el as unknown as { data: { z: unknown; text?: unknown }[] }).data.map((d) => [d.z, d.text])));
    // Somewhere else first, so reopening has to bring the view back.
    await page.getByTestId('nav-model').click();
    await page.getByTestId('projects-toggle').click();
    const drawer = page.getByTestId('projects-drawer');
    await drawer.getByTestId('pinned-figure').first().waitFor();
    // The pinned figure fits the drawer.
    const fit = await drawer.getByTestId('pinned-figure').first().evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(fit.scroll).toBeLessThanOrEqual(fit.client + 1);
    await drawer.getByTestId('pinned-reopen').first().click();
    await expect(drawer.isHidden()).resolves.toBe(true);
    await page.getByTestId('view-logit-lens').waitFor();
    expect(page.url()).toMatch(/#logit-lens$/);
    const reopened = page.getByTestId('reopened-run');
    await reopened.locator('.plotly-figure[data-rendered="true"]').waitFor();
    const again = await reopened.locator('.plotly-figure').evaluate((el) => JSON.stringify((el as unknown as { data: { z: unknown; text?: unknown }[] }).data.map((d) => [d.z, d.text])));
    expect(again).toBe(original);
    await expect(reopened.getByTestId('reopened-params').textContent()).resolves.toContain('topK');
    await shot('reopened-run');
    await reopened.getByTestId('reopened-close').click();
  });

  it('undo restores an edited prompt, redo re-applies the edit', async () => {
    const text = page.getByTestId('prompt-text');
    const before = await text.inputValue();
    await text.fill('Tim and Lily went to the park.');
    // Undo and redo land on React's next render: poll the field.
    await text.press('Control+z');
    await expect.poll(() => text.inputValue()).toBe(before);
    await page.getByTestId('prompt-redo').click();
    await expect.poll(() => text.inputValue()).toBe('Tim and Lily went to the park.');
    await page.getByTestId('prompt-undo').click();
    await expect.poll(() => text.inputValue()).toBe(before);
  });

  it('compares one forward pass on each backend from the Model page', async () => {
    await page.getByTestId('nav-model').click();
    // Tab goes from the open buttons to the next visible control, never to their hidden file inputs.
    for (const button of ['open-folder', 'open-gguf']) {
      await page.getByTestId(button).focus();
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).resolves.not.toBe('file');
    }
    await page.getByTestId('compare-backends').click();
    const table = page.getByTestId('backend-timings');
    await table.waitFor({ timeout: 120_000 });
    await expect(table.locator('tbody tr').count()).resolves.toBe(2);
    await expect(table.locator('tr[data-backend="cpu"]').textContent()).resolves.toMatch(/CPU \(in use\).*\d ms/);
    await expect(table.locator('tr[data-backend="webgpu"]').textContent()).resolves.toMatch(/WebGPU.*\d ms.*SwiftShader is a software renderer/);
    await table.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ux-model-compare.png') });
  });

  it('refuses an out-of-range neuron layer with a message instead of clamping it', async () => {
    await page.getByTestId('nav-neurons').click();
    const view = page.getByTestId('view-neurons');
    await view.getByLabel('Layer').fill('7');
    await expect(view.locator('.view-blocked').textContent()).resolves.toBe('Layer: 7 is out of range (from 0 to 4)');
    await expect(page.getByTestId('view-neurons-run').isDisabled()).resolves.toBe(true);
    await expect(view.getByLabel('Layer').inputValue()).resolves.toBe('7');
    await view.getByLabel('Layer').fill('4');
    await expect(page.getByTestId('view-neurons-run').isEnabled()).resolves.toBe(true);
  });

  it('has keyboard shortcuts: ? lists them, Alt+↓ switches views, Ctrl+Enter runs', async () => {
    await page.locator('body').click({ position: { x: 700, y: 880 } });
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts-help').waitFor();
    await shot('shortcuts');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('shortcuts-help').count()).resolves.toBe(0);
    await page.getByTestId('nav-logit-lens').click();
    await page.keyboard.press('Alt+ArrowDown');
    expect(page.url()).toMatch(/#neurons$/);
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('table-neuron').waitFor({ timeout: 60_000 });
  });

  it('leaves a screenshot of every view at 1440 × 900, with its help open', async () => {
    const ids = await page.locator('nav.sidebar [data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(4)));
    expect(ids.length).toBeGreaterThanOrEqual(15);
    for (const id of ids) {
      await page.getByTestId(`nav-${id}`).click();
      const help = page.locator(`.view-slot:not([hidden]) [data-testid="view-help"]`);
      if ((await help.count()) > 0) await help.locator('summary').click();
      await shot(`view-${id}`);
    }
  });

  it('logs no console errors', () => {
    expect(problems).toEqual([]);
  });
});
