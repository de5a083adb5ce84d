/** Issue #11, finding 6: a failed image export never loses the report; labels with control characters draw. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { testTempDir } from '../../test/temp-dir.ts';
import { MemoryCache } from '../cache.ts';
import { plotlyText, toPlotly } from '../figures/plotly.ts';
import type { GridView } from '../../analysis/registry/views.ts';
import { runNotebook } from '../runner.ts';
import { parseNotebookText } from '../validate.ts';
import { nodeModelHost } from './model-host.ts';
import { plotlyBundle } from './plotly-bundle.ts';
import { findChromium, renderFigureImages } from './render-images.ts';
import { writeRunOutputs } from './write-outputs.ts';

describe('writing a run when image export fails', () => {
  it('writes the report, results and tables first and reports the image failure in one line', async () => {
    const plan = parseNotebookText(readFileSync('notebooks/examples/logit-lens.probescope-notebook.json', 'utf8'));
    const run = await runNotebook(plan, { models: nodeModelHost(createCpuBackend(), '.'), cache: new MemoryCache(), backend: 'cpu' });
    const out = testTempDir('probescope-nb-fail-');
    // A "browser" that cannot start: the export throws, as it did on a label with a control character.
    const written = await writeRunOutputs(out, plan, run, { images: 'auto', backend: 'cpu', chromium: '/nonexistent/chromium' });
    expect(written.imagesSkipped).toMatch(/^SVG and PNG export failed \([^\n]*\); the report, results and tables were written$/);
    for (const f of ['report.html', 'results.json', 'figures/05-lens-top1.csv']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<html');
  }, 60_000);
});

describe('figure text', () => {
  it('control characters and lone surrogates become visible escapes (SVG cannot hold them)', () => {
    expect(plotlyText('a\x1ab')).toBe('a\\x1ab');
    expect(plotlyText('\x00\x7f')).toBe('\\x00\\x7f');
    expect(plotlyText('x\ud800y')).toBe('x\\ud800y');
    expect(plotlyText('<s> 😀\u00e9')).toBe('&lt;s&gt; 😀\u00e9');
  });
});

describe('image export of a figure whose token labels hold control characters', () => {
  // stories260K predicts the byte token "\x1a"; Plotly's SVG/PNG export threw on it ("Event").
  const chromium = findChromium();
  it.skipIf(chromium === null)('draws SVG and PNG through Chromium', async () => {
    const view: GridView = {
      kind: 'grid',
      title: 'top-1 token',
      x: { title: 'position', labels: ['0 <s>', '1 \x1a'] },
      y: { title: 'layer', labels: ['L0'] },
      z: [[0.5, 0.25]],
      text: [['\x1a', '\u0000end']],
      zTitle: 'p',
      signed: false,
    };
    const [image] = await renderFigureImages([toPlotly(view, 'heatmap')], { executablePath: chromium!, plotlyJs: await plotlyBundle(), scale: 1 });
    expect(image.svg).toContain('\\x1a');
    expect(image.png.length).toBeGreaterThan(1000);
  }, 60_000);
});
