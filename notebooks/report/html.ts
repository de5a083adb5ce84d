/**
 * The self-contained HTML report of a notebook run: markdown rendered safely, each analysis
 * step's parameters, every figure interactive (the plotly.js bundle and the figure data inlined),
 * and the numbers behind each figure as a table. No network: a Content-Security-Policy with
 * `default-src 'none'` allows only the report's own inline scripts (by hash) and inline styles
 * (Plotly sets them), so the report cannot load or send anything even if opened online.
 *
 * Browser-safe: the caller passes the plotly.js source text (the CLI reads it from
 * node_modules, the app fetches its own copy).
 */
import type { PlainTable } from '../figures/table.ts';
import type { Json, JsonObject } from '../../analysis/json.ts';
import { toJson } from '../../analysis/json.ts';
import { escapeHtml } from '../markdown.ts';
import type { CellOutput } from '../runner.ts';
import type { Notebook } from '../schema.ts';
import { cellName } from '../schema.ts';

export interface ReportInput {
  readonly notebook: Notebook;
  readonly outputs: readonly CellOutput[];
  /** plotly.js-dist-min's plotly.min.js. */
  readonly plotlyJs: string;
  /** Shown in the footer, e.g. "cpu — CPU reference (f64)". */
  readonly backend?: string;
  readonly generatedAt?: string;
  /** Rows of each figure's data table shown in the report (the CSV files have them all). */
  readonly maxTableRows?: number;
}

/** Script text safe inside <script>: `</script` and `<!--` occur in plotly.js only inside string literals, where the escapes are equivalent. */
function scriptText(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

/** JSON inside <script type="application/json">: `<` escaped, so no data can close the element. */
function jsonScript(value: Json): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

async function cspHash(script: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(script));
  let binary = '';
  for (const b of new Uint8Array(digest)) binary += String.fromCharCode(b);
  return `'sha256-${btoa(binary)}'`;
}

function tableHtml(t: PlainTable, maxRows: number): string {
  const fmt = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : v);
  const head = `<tr>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = t.rows.slice(0, maxRows).map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(fmt(v))}</td>`).join('')}</tr>`);
  const more = t.rows.length > maxRows ? `<p class="note">${t.rows.length - maxRows} more rows in the CSV export.</p>` : '';
  return `<div class="table-wrap"><table>${head}${rows.join('')}</table></div>${more}`;
}

/** Draws every `.figure` from the embedded data; the layout's export size is dropped so figures follow the page width. */
const BOOT = `(() => {
  const figures = JSON.parse(document.getElementById('probescope-figures').textContent);
  for (const [id, fig] of Object.entries(figures)) {
    const layout = Object.assign({}, fig.layout, { width: undefined, autosize: true });
    Plotly.newPlot(document.getElementById(id), fig.data, layout, { responsive: true, displaylogo: false });
  }
})();`;

export async function buildHtmlReport(input: ReportInput): Promise<string> {
  const { notebook, outputs } = input;
  const maxRows = input.maxTableRows ?? 50;
  const figures: JsonObject = {};
  const body: string[] = [];
  for (const out of outputs) {
    const cell = notebook.cells[out.index];
    const name = escapeHtml(cellName(cell, out.index));
    switch (out.kind) {
      case 'markdown':
        body.push(`<section class="markdown">${out.html}</section>`);
        break;
      case 'model':
        body.push(`<section class="meta"><span class="tag">model</span> <code>${escapeHtml(out.ref)}</code> <span class="note">${escapeHtml(out.identity)}</span></section>`);
        break;
      case 'prompts':
        if (cell.kind === 'prompts') {
          const items = cell.prompts.map((p) => `<li>${p.label ? `<b>${escapeHtml(p.label)}</b>: ` : ''}${'text' in p ? escapeHtml(p.text) : `ids ${escapeHtml(p.ids.join(', '))}`}</li>`);
          body.push(`<section class="meta"><span class="tag">prompts</span> ${name}<ol start="0">${items.join('')}</ol></section>`);
        }
        break;
      case 'dataset':
        body.push(`<section class="meta"><span class="tag">dataset</span> ${name}: ${escapeHtml(out.name ?? '(inline)')}, ${out.count} examples</section>`);
        break;
      case 'analysis':
        if (cell.kind === 'analysis') {
          const title = escapeHtml(cell.title ?? `${out.method} (${out.id})`);
          const timing = out.cached ? 'from cache' : `${(out.ms / 1000).toFixed(2)} s`;
          body.push(`<section class="step"><h3>${title}</h3><p class="note">${name} · method <code>${escapeHtml(out.method)}</code> · ${timing}</p><details><summary>parameters</summary><pre>${escapeHtml(JSON.stringify(cell.params, null, 2))}</pre></details></section>`);
        }
        break;
      case 'figure': {
        const id = `figure-${out.index + 1}`;
        figures[id] = { data: out.figure.data, layout: out.figure.layout };
        body.push(`<section class="figure-cell"><div class="figure" id="${id}"></div><details><summary>data (${escapeHtml(out.view)})</summary>${tableHtml(out.table, maxRows)}</details></section>`);
        break;
      }
    }
  }
  const plotly = scriptText(input.plotlyJs);
  const csp = `default-src 'none'; script-src ${await cspHash(plotly)} ${await cspHash(BOOT)}; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Probescope">
<title>${escapeHtml(notebook.title)}</title>
<style>
body { font: 15px/1.5 Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.8em; } h3 { margin-bottom: 0.2em; }
code, pre { font-family: Menlo, Consolas, monospace; font-size: 0.9em; background: #f4f4f4; }
pre { padding: 0.6em; overflow-x: auto; }
.note { color: #666; font-size: 0.9em; margin-top: 0; }
.tag { display: inline-block; background: #e3ecf7; color: #244; border-radius: 3px; padding: 0 0.4em; font-size: 0.85em; }
.meta { margin: 0.6em 0; }
.figure { width: 100%; min-height: 420px; }
.table-wrap { overflow-x: auto; max-height: 420px; }
table { border-collapse: collapse; font-size: 0.85em; } th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; white-space: pre; }
footer { margin-top: 3em; color: #888; font-size: 0.85em; }
</style>
</head>
<body>
<h1>${escapeHtml(notebook.title)}</h1>
${notebook.description ? `<p>${escapeHtml(notebook.description)}</p>` : ''}
${body.join('\n')}
<footer>Probescope notebook report${input.backend ? ` · backend ${escapeHtml(input.backend)}` : ''}${input.generatedAt ? ` · ${escapeHtml(input.generatedAt)}` : ''}</footer>
<script type="application/json" id="probescope-notebook">${jsonScript(toJson(notebook))}</script>
<script type="application/json" id="probescope-figures">${jsonScript(figures)}</script>
<script>${plotly}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
