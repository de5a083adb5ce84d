/**
 * `probescope notebook run|validate` in-process: the files a run writes (JSON, CSV, HTML, and
 * SVG/PNG through the local Chromium — checked by parsing them in that Chromium), the report
 * rendering offline under its CSP, and the exit codes and messages of failures.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../notebooks/node/render-images.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { fileTempDir } from '../../test/temp-dir.ts';

const EXAMPLE = 'notebooks/examples/logit-lens.probescope-notebook.json';
const CHROMIUM = findChromium();
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('probescope notebook', () => {
  const out = fileTempDir('probescope-notebook-');
  let browser: Browser | null = null;
  let summary: Record<string, unknown>;

  beforeAll(async () => {
    summary = jsonOf(await runCli(['notebook', 'run', EXAMPLE, '--out', out, '--json']));
    if (CHROMIUM) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);
  afterAll(async () => browser?.close());

  it('writes results as JSON and CSV, each figure as Plotly JSON and CSV, and the report', () => {
    expect(summary).toMatchObject({ computed: 1, cached: 0, images_skipped: CHROMIUM ? null : expect.any(String) });
    const figures = readdirSync(join(out, 'figures')).sort();
    for (const name of ['05-lens-top1', '07-lens-target-rank', '08-lens-top-tokens']) {
      expect(figures).toContain(`${name}.plotly.json`);
      expect(figures).toContain(`${name}.csv`);
    }
    const spec = JSON.parse(readFileSync(join(out, 'figures/05-lens-top1.plotly.json'), 'utf8')) as { data: { type: string; z: number[][] }[]; layout: { width: number } };
    expect(spec.data[0].type).toBe('heatmap');
    expect(spec.data[0].z).toHaveLength(6);
    expect(spec.layout.width).toBe(1100);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { steps: { lens: { method: string; result: { ids: number[] } } } };
    expect(results.steps.lens.method).toBe('logit-lens');
    expect(results.steps.lens.result.ids).toHaveLength(23);
    const csv = readFileSync(join(out, 'results/lens.target-rank.csv'), 'utf8').split('\r\n');
    // Trace names are the targets JSON-quoted (leading spaces stay visible), then CSV-quoted.
    expect(csv[0]).toBe('layer,""" she""",""" he""",""" to"""');
    expect(csv[1]).toBe('L0 resid_pre,1,22,53');
    expect(csv).toHaveLength(8);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  it.runIf(CHROMIUM)('renders SVG (valid, with the traces) and PNG (signature, scaled size) through Chromium', async () => {
    const svg = readFileSync(join(out, 'figures/05-lens-top1.svg'), 'utf8');
    const page = await browser!.newPage();
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.getElementsByTagName('parsererror').length,
        root: doc.documentElement.nodeName,
        heatmaps: doc.querySelectorAll('.hm').length + doc.querySelectorAll('g.heatmaplayer image, g.heatmaplayer .hm').length,
        labels: [...doc.querySelectorAll('.xtick text')].map((t) => t.textContent),
        title: doc.querySelector('.gtitle')?.textContent,
      };
    }, svg);
    expect(parsed.error).toBe(0);
    expect(parsed.root).toBe('svg');
    expect(parsed.heatmaps).toBeGreaterThan(0);
    expect(parsed.labels[0]).toBe('0: <s>');
    expect(parsed.labels).toContain('14: ·Lily');
    expect(parsed.title).toBe('Logit lens: top-1 token and its probability');
    const line = readFileSync(join(out, 'figures/07-lens-target-rank.svg'), 'utf8');
    const traces = await page.evaluate((text) => new DOMParser().parseFromString(text, 'image/svg+xml').querySelectorAll('.scatterlayer .trace').length, line);
    expect(traces).toBe(3);
    await page.close();
    const png = readFileSync(join(out, 'figures/05-lens-top1.png'));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    // IHDR: width and height at bytes 16–23, the layout's size × the default scale 2.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2200, 840]);
  });

  it.runIf(CHROMIUM)('the report draws every figure offline, within its CSP', async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && requests.push(r.url()));
    await page.goto(`file://${join(out, 'report.html')}`);
    await page.waitForFunction(() => document.querySelectorAll('.figure .main-svg').length >= 3, null, { timeout: 60_000 });
    const drawn = await page.evaluate(() => [...document.querySelectorAll('.figure')].map((f) => f.querySelectorAll('.main-svg').length > 0));
    expect(drawn).toEqual([true, true, true]);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('reuses results with --cache: the second run computes nothing', async () => {
    const cache = join(out, 'cache');
    const first = jsonOf(await runCli(['notebook', 'run', EXAMPLE, '--out', join(out, 'c1'), '--cache', cache, '--no-images', '--json']));
    const second = jsonOf(await runCli(['notebook', 'run', EXAMPLE, '--out', join(out, 'c2'), '--cache', cache, '--no-images', '--json']));
    expect([first.computed, first.cached, second.computed, second.cached]).toEqual([1, 0, 0, 1]);
    expect(readFileSync(join(out, 'c2/results/lens.json'), 'utf8')).toBe(readFileSync(join(out, 'c1/results/lens.json'), 'utf8'));
    expect(existsSync(join(out, 'c2/figures/05-lens-top1.svg'))).toBe(false);
  });

  it('stops at the first failing cell with exit code 1 and a message naming it', async () => {
    const bad = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { cells: { kind: string; params?: Record<string, unknown> }[] };
    bad.cells.find((c) => c.kind === 'analysis')!.params!.targets = [' Lily', ' Timmy and'];
    const file = join(out, 'bad.probescope-notebook.json');
    writeFileSync(file, JSON.stringify(bad));
    const result = await runCli(['notebook', 'run', file, '--out', join(out, 'bad'), '--no-images']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/probescope notebook: cell 4 \(analysis "lens"\) failed: params\.targets\[1\]: “·Timmy·and” is not a token of this vocabulary/);
    expect(existsSync(join(out, 'bad'))).toBe(false);
  });

  it('validates: exit 0 for a good notebook, 1 with one line per problem otherwise', async () => {
    const good = await runCli(['notebook', 'validate', EXAMPLE]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/valid \(format version 2, 8 cells, 1 analysis steps, 3 figures\)/);
    const file = join(out, 'invalid.probescope-notebook.json');
    writeFileSync(file, JSON.stringify({ format: 'probescope.notebook', version: 1, title: 't', cells: [{ kind: 'analysis', id: 'x', method: 'nope', params: {} }, { kind: 'figure', of: 'y', type: 'pie' }] }));
    const bad = await runCli(['notebook', 'validate', file]);
    expect(bad.code).toBe(1);
    const lines = bad.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cell 2 \(figure\) type: Invalid option: expected one of "heatmap"\|"bar"\|"line"\|"table"/);
    const usage = await runCli(['notebook', 'run', EXAMPLE]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--out DIR is required/);
  });
});
