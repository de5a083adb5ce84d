/**
 * Probe projects end to end in Chromium against the web build: run an analysis and pin it to a
 * project, reload (project, figure and prompt are still there), export the .probescope file,
 * delete the project, import the file back (results bit-identical, by fingerprint), and import
 * a corrupted file (refused; existing projects untouched).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openApp, screenshot, waitForModel } from './browser.ts';
import { fileTempDir } from '../temp-dir.ts';

const NAME = 'E2E lens project';
const PROMPT = 'Once upon a time, there was a little dog named Max. He loved to run. One day, Max';

let browser: Browser;
let page: Page;
let problems: string[];
const tmp = fileTempDir('probescope-e2e-projects-');
let exported = '';
let fingerprint = '';

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, inject('baseUrl')));
  await waitForModel(page);
});

afterAll(async () => {
  await browser?.close();
});

const drawer = () => page.getByTestId('projects-drawer');
const rows = () => drawer().getByTestId('project-row');
const row = (name: string) => drawer().locator(`[data-testid="project-row"][data-project-name="${name}"]`);

async function openDrawer(): Promise<void> {
  if (await drawer().isHidden()) await page.getByTestId('projects-toggle').click();
  await drawer().waitFor();
}

async function closeDrawer(): Promise<void> {
  if (await drawer().isVisible()) await page.getByTestId('projects-toggle').click();
}

async function notice(): Promise<{ tone: string | null; text: string }> {
  const el = drawer().getByTestId('project-notice');
  await el.waitFor();
  return { tone: await el.getAttribute('data-tone'), text: (await el.textContent()) ?? '' };
}

async function projectNames(): Promise<string[]> {
  return rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-project-name') ?? ''));
}

/** The full fingerprint of the current project's only run, once computed. */
async function runFingerprint(): Promise<string> {
  const cell = drawer().getByTestId('experiment-fingerprint');
  await expect.poll(async () => (await cell.getAttribute('title')) ?? '', { timeout: 30_000 }).toMatch(/^[0-9a-f]{64}$/);
  return (await cell.getAttribute('title'))!;
}

async function pinnedFigureDrawn(): Promise<void> {
  await drawer().locator('[data-testid="pinned-figure"] .plotly-figure[data-rendered="true"]').waitFor({ timeout: 60_000 });
}

describe('probe projects', () => {
  it('creates and renames a project', async () => {
    await openDrawer();
    await drawer().getByTestId('project-new').click();
    await row('Untitled project').waitFor();
    await row('Untitled project').getByTestId('project-rename').click();
    await drawer().getByTestId('project-rename-input').fill(NAME);
    await drawer().getByTestId('project-rename-input').press('Enter');
    await row(NAME).waitFor();
    await expect(drawer().getByTestId('current-project-name').textContent()).resolves.toBe(NAME);
    await closeDrawer();
  });

  it('runs the logit lens, pins it to the project, and autosaves the prompt', async () => {
    await page.getByTestId('nav-logit-lens').click();
    await page.getByTestId('prompt-text').fill(PROMPT);
    await page.getByTestId('view-logit-lens-run').click();
    await page.locator('[data-testid="figure-logit-lens"] .plotly-figure[data-rendered="true"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="figure-logit-lens"] [data-testid="pin-to-project"]').click();
    await openDrawer();
    expect((await notice()).text).toContain('Pinned "Logit lens" to the project.');
    await expect.poll(() => drawer().getByTestId('experiment-row').count()).toBe(1);
    await pinnedFigureDrawn();
    fingerprint = await runFingerprint();
    await expect.poll(() => drawer().getByTestId('autosave-status').textContent(), { timeout: 10_000 }).toMatch(/^Saved/);
    await screenshot(page, 'projects-pinned');
  });

  it('keeps the project, its figure and its prompt across a reload', async () => {
    await page.reload();
    await waitForModel(page);
    await openDrawer();
    await row(NAME).waitFor();
    await expect(drawer().getByTestId('current-project-name').textContent()).resolves.toBe(NAME);
    await pinnedFigureDrawn();
    expect(await runFingerprint()).toBe(fingerprint);
    await expect(page.getByTestId('prompt-text').inputValue()).resolves.toBe(PROMPT);
  });

  it('exports the project as a .probescope file', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), row(NAME).getByTestId('project-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^E2E-lens-project\.probescope$/);
    exported = path.join(tmp, 'exported.probescope');
    await download.saveAs(exported);
    const files = unzipSync(readFileSync(exported));
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as Record<string, unknown>;
    expect(manifest).toMatchObject({ format: 'probescope-project', formatVersion: 1 });
    // The lens run is the registry method's JSON result, so it has no typed arrays to store as
    // .bin entries (those are covered by renderer/storage/share/share.browser.test.ts).
  });

  it('deletes the project (with undo), then imports it back with identical results', async () => {
    await row(NAME).getByTestId('project-delete').click();
    await row(NAME).waitFor({ state: 'detached' });
    expect((await notice()).text).toContain(`Deleted "${NAME}".`);
    await drawer().getByTestId('project-undo').click();
    await row(NAME).waitFor();
    await row(NAME).getByTestId('project-delete').click();
    await row(NAME).waitFor({ state: 'detached' });
    expect(await projectNames()).not.toContain(NAME);

    await drawer().getByTestId('project-import-input').setInputFiles(exported);
    await row(NAME).waitFor();
    const imported = await notice();
    expect(imported.tone).toBe('info');
    expect(imported.text).toContain(`Imported "${NAME}" from exported.probescope.`);
    await expect(drawer().getByTestId('current-project-name').textContent()).resolves.toBe(NAME);
    expect(await runFingerprint()).toBe(fingerprint);
    await pinnedFigureDrawn();
    await screenshot(page, 'projects-imported');
  });

  it('refuses a corrupted file and leaves the existing projects untouched', async () => {
    const before = await projectNames();
    const bytes = readFileSync(exported);
    const corrupted = path.join(tmp, 'corrupted.probescope');
    writeFileSync(corrupted, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await drawer().getByTestId('project-import-input').setInputFiles(corrupted);
    await expect.poll(async () => (await notice()).tone).toBe('error');
    const refused = await notice();
    expect(refused.text).toMatch(/Could not import corrupted\.probescope: .*truncated.*Your projects were not changed\./);
    expect(await projectNames()).toEqual(before);
    expect(await runFingerprint()).toBe(fingerprint);
    await screenshot(page, 'projects-refused');
  });

  it('has no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
