/**
 * The prompt workspace's intervention list end to end in Chromium against the web build: a
 * misspelt hook is refused by name; a zero-ablation added from the model's hook list shows as
 * "model + interventions" and a badge; the logit lens (another view) then draws different
 * numbers; pinned, the run records the intervention and reopening shows it; turned off, the
 * badge goes and the lens draws the plain model's numbers again; the reopened run's interventions
 * can be put back into the list, and the list comes back with the project after a reload.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { figureDrawn, launchChromium, openApp, screenshot, waitForModel } from './browser.ts';

const HOOK = 'blocks.0.hook_mlp_out';

let browser: Browser;
let page: Page;
let problems: string[];
let plainLens = '';

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl'), '#prompt'));
  await waitForModel(page);
});

afterAll(async () => {
  await browser?.close();
});

const summary = () => page.getByTestId('intervention-summary');
const badge = () => page.getByTestId('sidebar-model').getByTestId('intervention-badge');

/** Turns the one intervention on or off (its styled checkbox: click the label) and waits until the engine applies it. */
async function toggleIntervention(on: boolean): Promise<void> {
  await page.getByTestId('intervention-entry').locator('label.checkbox').click();
  if (on) await expect.poll(() => badge().textContent(), { timeout: 30_000 }).toBe('intervened · 1');
  else await expect.poll(() => summary().textContent(), { timeout: 30_000 }).toBe('builtin:stories260K (no interventions)');
}

/** The numbers the logit lens figure draws, as JSON (null before its first run). */
async function drawnLens(): Promise<string | null> {
  const figure = page.locator('[data-testid="figure-logit-lens"] .plotly-figure');
  if ((await figure.count()) === 0) return null;
  return figure.evaluate((el) => JSON.stringify((el as unknown as { data?: unknown }).data ?? null));
}

/** Runs the logit lens and returns the numbers it draws, once they differ from the previous run's. */
async function lensNumbers(): Promise<string> {
  await page.getByTestId('nav-logit-lens').click();
  const before = await drawnLens();
  await page.getByTestId('view-logit-lens-run').click();
  await figureDrawn(page, 'figure-logit-lens');
  // The previous figure stays until the new result arrives; every run here changes the numbers.
  await expect.poll(drawnLens, { timeout: 60_000 }).not.toBe(before);
  return (await drawnLens())!;
}

describe('interventions on the prompt workspace', () => {
  it('starts plain: no interventions in the summary, no badge', async () => {
    await expect.poll(() => summary().textContent(), { timeout: 30_000 }).toBe('builtin:stories260K (no interventions)');
    expect(await badge().count()).toBe(0);
    plainLens = await lensNumbers();
    await page.getByTestId('nav-prompt').click();
  });

  it('refuses a hook the model does not have, by name', async () => {
    await page.getByTestId('intervention-hook').fill('blocks.9.hook_resid_pre');
    await expect.poll(() => page.getByTestId('intervention-form-problems').textContent()).toContain('this model has 5 layers (blocks.0 to blocks.4)');
    expect(await page.getByTestId('intervention-add').isDisabled()).toBe(true);
    await page.getByTestId('intervention-hook').fill('blocks.0.hook_resid_pre');
    await page.getByTestId('intervention-head').fill('1');
    await expect.poll(() => page.getByTestId('intervention-form-problems').textContent()).toContain('head: blocks.0.hook_resid_pre has no head axis');
  });

  it('adds a zero-ablation from the hook list and shows the model with it', async () => {
    // The hook picker offers the open model's hooks.
    const offered = await page.locator('#intervention-hook-names option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toContain(HOOK);
    await page.getByTestId('intervention-head').fill('');
    await page.getByTestId('intervention-hook').fill(HOOK);
    await page.getByTestId('intervention-op').selectOption('zero');
    await page.getByTestId('intervention-add').click();
    await expect.poll(() => summary().textContent(), { timeout: 30_000 }).toBe(`builtin:stories260K\n  + zero ${HOOK}`);
    await expect.poll(() => badge().textContent()).toBe('intervened · 1');
    await screenshot(page, 'interventions-workspace');
  });

  it('changes another view’s result, and the pinned run records the intervention', async () => {
    const intervened = await lensNumbers();
    expect(intervened).not.toBe(plainLens);
    await page.locator('[data-testid="figure-logit-lens"] [data-testid="pin-to-project"]').click();
    await page.getByTestId('projects-toggle').click();
    const drawer = page.getByTestId('projects-drawer');
    await drawer.getByTestId('pinned-reopen').first().click();
    const reopened = page.getByTestId('reopened-interventions');
    await expect.poll(() => reopened.textContent(), { timeout: 30_000 }).toContain(`zero ${HOOK}`);
    if (await drawer.isVisible()) await page.getByTestId('projects-toggle').click();
    await screenshot(page, 'interventions-reopened');
  });

  it('turned off, the badge goes and the view draws the plain numbers again', async () => {
    await page.getByTestId('nav-prompt').click();
    // The box drawn over the checkbox is what a user clicks.
    await page.getByTestId('intervention-entry').locator('label.checkbox').click();
    expect(await page.getByTestId('intervention-toggle').isChecked()).toBe(false);
    await expect.poll(() => summary().textContent(), { timeout: 30_000 }).toBe('builtin:stories260K (no interventions)');
    expect(await badge().count()).toBe(0);
    await page.getByTestId('nav-logit-lens').click();
    if (await page.getByTestId('reopened-close').isVisible()) await page.getByTestId('reopened-close').click();
    expect(await lensNumbers()).toBe(plainLens);
    // The reopened run still says what it ran with.
    await page.getByTestId('projects-toggle').click();
    await page.getByTestId('projects-drawer').getByTestId('pinned-reopen').first().click();
    await expect.poll(() => page.getByTestId('reopened-interventions').textContent(), { timeout: 30_000 }).toContain(`zero ${HOOK}`);
    // …and can put them back into the workspace's list.
    await page.getByTestId('reopened-use-interventions').click();
    await expect.poll(() => badge().textContent(), { timeout: 30_000 }).toBe('intervened · 1');
    await expect.poll(() => summary().textContent()).toBe(`builtin:stories260K\n  + zero ${HOOK}`);
  });

  it('a run pinned after the list changed records what it ran with, not the list at pin time', async () => {
    if (await page.getByTestId('projects-drawer').isVisible()) await page.getByTestId('projects-toggle').click();
    const intervened = await lensNumbers();
    expect(intervened).not.toBe(plainLens);
    // Turn the intervention off, then pin the figure still on screen (computed with it).
    await page.getByTestId('nav-prompt').click();
    await toggleIntervention(false);
    await page.getByTestId('nav-logit-lens').click();
    expect(await drawnLens()).toBe(intervened);
    await page.locator('[data-testid="figure-logit-lens"] [data-testid="pin-to-project"]').click();
    // Every run pinned in this file ran with the intervention, this one too: each reopens with it.
    const drawer = page.getByTestId('projects-drawer');
    await page.getByTestId('projects-toggle').click();
    await expect.poll(() => drawer.getByTestId('pinned-reopen').count(), { timeout: 15_000 }).toBe(2);
    for (const i of [0, 1]) {
      if (await drawer.isHidden()) await page.getByTestId('projects-toggle').click();
      await drawer.getByTestId('pinned-reopen').nth(i).click();
      await expect.poll(() => page.getByTestId('reopened-interventions').textContent(), { timeout: 30_000 }).toContain(`zero ${HOOK}`);
      if (await page.getByTestId('reopened-close').isVisible()) await page.getByTestId('reopened-close').click();
    }
    if (await drawer.isVisible()) await page.getByTestId('projects-toggle').click();
    // Back on, as the next test expects.
    await page.getByTestId('nav-prompt').click();
    await toggleIntervention(true);
  });

  it('marks a result on screen as computed with another list when the list changes; Run again clears it', async () => {
    const stale = () => page.getByTestId('view-logit-lens').getByTestId('interventions-stale');
    // The lens on screen ran with the zero-ablation, which is on again: current.
    await page.getByTestId('nav-logit-lens').click();
    expect(await stale().count()).toBe(0);
    const withIt = await drawnLens();
    expect(withIt).not.toBe(plainLens);
    await page.getByTestId('nav-prompt').click();
    await toggleIntervention(false);
    await page.getByTestId('nav-logit-lens').click();
    await expect
      .poll(() => stale().textContent(), { timeout: 30_000 })
      .toBe('Computed with 1 intervention; the intervention list has changed since (the model now runs with no interventions). Run again');
    expect(await drawnLens()).toBe(withIt);
    await screenshot(page, 'interventions-stale-result');
    await stale().getByTestId('interventions-stale-rerun').click();
    await expect.poll(drawnLens, { timeout: 60_000 }).toBe(plainLens);
    await expect.poll(() => stale().count(), { timeout: 30_000 }).toBe(0);
    // A reopened run that ran with the zero-ablation says the list has changed since.
    await page.getByTestId('projects-toggle').click();
    await page.getByTestId('projects-drawer').getByTestId('pinned-reopen').first().click();
    await expect.poll(() => page.getByTestId('reopened-interventions-stale').textContent(), { timeout: 30_000 }).toContain('Computed with 1 intervention; the intervention list has changed since');
    if (await page.getByTestId('projects-drawer').isVisible()) await page.getByTestId('projects-toggle').click();
    await page.getByTestId('reopened-close').click();
    // Back on, as the next test expects: the plain lens is now the stale one.
    await page.getByTestId('nav-prompt').click();
    await toggleIntervention(true);
    await page.getByTestId('nav-logit-lens').click();
    await expect.poll(() => stale().textContent(), { timeout: 30_000 }).toContain('Computed with no interventions; the intervention list has changed since (the model now runs with 1 intervention)');
  });

  it('keeps the list, each entry on or off, with the project’s working prompt across a reload', async () => {
    await page.getByTestId('nav-prompt').click();
    await toggleIntervention(false);
    if (await page.getByTestId('projects-drawer').isHidden()) await page.getByTestId('projects-toggle').click();
    await expect.poll(() => page.getByTestId('autosave-status').textContent(), { timeout: 15_000 }).toMatch(/^Saved/);
    await page.reload();
    await waitForModel(page);
    await page.getByTestId('nav-prompt').click();
    await expect.poll(() => page.getByTestId('intervention-entry').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('intervention-toggle').isChecked()).toBe(false);
    expect(await page.getByTestId('intervention-entry').textContent()).toContain(`zero ${HOOK}`);
    await toggleIntervention(true);
  });

  it('has no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
