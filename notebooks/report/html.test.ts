import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NotebookRun } from '../runner.ts';
import { validateNotebook } from '../validate.ts';
import { buildHtmlReport } from './html.ts';

const FAKE_PLOTLY = 'window.Plotly = { newPlot() {} }; var s = "</script><!--";';

function plan() {
  return validateNotebook({
    format: 'probescope.notebook',
    version: 1,
    title: 'Report <i>test</i>',
    cells: [
      { kind: 'markdown', text: '# Hello\n<img src=x onerror=alert(1)>' },
      { kind: 'model', id: 'm', ref: 'builtin:stories260K' },
      { kind: 'prompts', id: 'p', prompts: [{ label: 'evil', text: '</script><script>alert(1)</script>' }] },
      { kind: 'analysis', id: 'lens', method: 'logit-lens', params: {} },
      { kind: 'figure', of: 'lens', type: 'table', options: { view: 'top-tokens' } },
    ],
  });
}

const run: NotebookRun = {
  computed: 1,
  cached: 0,
  outputs: [
    { kind: 'markdown', index: 0, html: '<h1>Hello</h1>\n<p>&lt;img src=x onerror=alert(1)&gt;</p>' },
    { kind: 'model', index: 1, ref: 'builtin:stories260K', identity: 'sha256:abc' },
    { kind: 'prompts', index: 2, count: 1 },
    { kind: 'analysis', index: 3, id: 'lens', method: 'logit-lens', key: 'k', cached: false, ms: 12, result: {} },
    {
      kind: 'figure',
      index: 4,
      of: 'lens',
      view: 'top-tokens',
      type: 'table',
      figure: { data: [{ type: 'table', cells: { values: [['</script><script>alert(2)</script>']] } }], layout: { title: { text: 't' } } },
      table: { columns: ['layer', '#1'], rows: [['L0', '"</script>" 0.5']] },
    },
  ],
};

describe('HTML report', () => {
  it('is self-contained: a CSP that allows only its own scripts by hash, and no external URLs', async () => {
    const html = await buildHtmlReport({ notebook: plan().notebook, outputs: run.outputs, plotlyJs: FAKE_PLOTLY });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1].replace(/&#39;/g, "'");
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+'; style-src 'unsafe-inline'/);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(2);
    for (const s of scripts) expect(csp).toContain(`'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    expect(scripts[0]).toBe('window.Plotly = { newPlot() {} }; var s = "<\\/script><\\!--";');
    expect(html).not.toMatch(/\s(src|href)=["']?(https?:)?\/\//i);
  });

  it('escapes every piece of notebook text and embedded data', async () => {
    const html = await buildHtmlReport({ notebook: plan().notebook, outputs: run.outputs, plotlyJs: FAKE_PLOTLY });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<i>test</i>');
    expect(html).toContain('<title>Report &lt;i&gt;test&lt;/i&gt;</title>');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // Inside the JSON data elements '<' is \u003c, so no '</script' can end them early.
    const data = [...html.matchAll(/<script type="application\/json" id="([^"]+)">([\s\S]*?)<\/script>/g)];
    expect(data.map((d) => d[1])).toEqual(['probescope-notebook', 'probescope-figures']);
    for (const [, , text] of data) expect(text).not.toContain('<');
    const figures = JSON.parse(data[1][2]) as Record<string, { data: { cells: { values: string[][] } }[] }>;
    expect(figures['figure-5'].data[0].cells.values[0][0]).toBe('</script><script>alert(2)</script>');
    expect((JSON.parse(data[0][2]) as { title: string }).title).toBe('Report <i>test</i>');
  });
});
