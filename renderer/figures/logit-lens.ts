/**
 * The logit lens as a layer × position heatmap. Colour: the target token's rank (log scale,
 * dark = rank 1), its probability, or the top-1 probability; each cell is labelled with the
 * lens's top-1 token while labels fit; hover lists the top tokens and the target.
 */
import type { Data } from 'plotly.js-dist-min';
import type { Table } from '../export/table.ts';
import { positionTokenLabel, tokenLabel } from '../../analysis/formats/token-label.ts';
import type { LogitLensResult, TokenInfo } from '../worker/contracts.ts';
import { SEQUENTIAL, SEQUENTIAL_REVERSED } from '../../notebooks/figures/colorscales.ts';
import type { Window } from './downsample.ts';
import { binMatrix } from './downsample.ts';
import type { FigureSpec } from './spec.ts';
import { themedLayout } from './spec.ts';

export type LensColour = 'rank' | 'target-prob' | 'top-prob';

export const LENS_MAX_COLS = 160;
const LABEL_CELLS_UP_TO = 48;
/**
 * Cell labels must fit the narrowest width the figure is drawn at — the 900 px default export,
 * about 700 px of plot area — at ~6 px per character of the 10 px font: longer tokens are cut
 * (hover has them whole), and below 3 characters per cell there are no cell labels at all.
 */
const NARROWEST_PLOT_PX = 700;
const LABEL_CHAR_PX = 6;

export function cellLabelChars(columns: number): number {
  return Math.min(7, Math.floor(NARROWEST_PLOT_PX / columns / LABEL_CHAR_PX));
}

function colourValues(r: LogitLensResult, mode: LensColour): Float32Array {
  const cells = r.rowLabels.length * r.pos;
  const out = new Float32Array(cells);
  for (let i = 0; i < cells; i++) {
    if (mode === 'rank') out[i] = Math.log10(r.targetRanks[i] + 1);
    else if (mode === 'target-prob') out[i] = r.targetProbs[i];
    else out[i] = r.topProbs[i * r.topK];
  }
  return out;
}

function tokenText(r: LogitLensResult, id: number): string {
  return tokenLabel(r.vocab[id] ?? `#${id}`);
}

function cellHover(r: LogitLensResult, tokens: readonly TokenInfo[], row: number, p: number): string {
  const cell = row * r.pos + p;
  const top = Array.from({ length: Math.min(r.topK, 5) }, (_, k) => {
    const at = cell * r.topK + k;
    return `${tokenText(r, r.topIds[at])} ${r.topProbs[at].toFixed(3)}`;
  }).join(' · ');
  const target =
    r.targetIds[cell] >= 0
      ? `<br>target ${tokenText(r, r.targetIds[cell])}: rank ${r.targetRanks[cell] + 1} · p ${r.targetProbs[cell].toFixed(4)}`
      : '';
  return `${r.rowLabels[row]} · pos ${p} ${tokenLabel(tokens[p]?.text ?? '')}<br>top: ${top}${target}`;
}

export function logitLensFigure(r: LogitLensResult, tokens: readonly TokenInfo[], mode: LensColour, window?: Window): FigureSpec {
  const rows = r.rowLabels.length;
  const w = window ?? { r0: 0, r1: rows, c0: 0, c1: r.pos };
  const binned = binMatrix(colourValues(r, mode), r.pos, { ...w, r0: 0, r1: rows }, rows, LENS_MAX_COLS, 'mean');
  const full = !binned.reduced;
  const x = binned.colEdges.slice(0, -1).map((e, i) => (e + binned.colEdges[i + 1] - 1) / 2);
  const hover = full
    ? Array.from({ length: rows }, (_, row) => x.map((p) => cellHover(r, tokens, row, p)))
    : Array.from({ length: rows }, (_, row) => binned.colEdges.slice(0, -1).map((e, j) => `${r.rowLabels[row]} · positions ${e}–${binned.colEdges[j + 1] - 1}`));
  const chars = cellLabelChars(x.length);
  const labels =
    full && x.length <= LABEL_CELLS_UP_TO && chars >= 3
      ? Array.from({ length: rows }, (_, row) => x.map((p) => tokenLabel(r.vocab[r.topIds[(row * r.pos + p) * r.topK]] ?? '', chars)))
      : undefined;
  const rankMax = Math.log10(Math.max(10, worstRank(r)));
  const rankTicks = [1, 10, 100, 1000, 10000, 100000].filter((v) => Math.log10(v) <= rankMax + 1e-9);
  const trace: Data = {
    type: 'heatmap',
    z: binned.z,
    x,
    y: r.rowLabels.map((_, i) => i),
    hovertext: hover,
    hovertemplate: '%{hovertext}<extra></extra>',
    ...(labels ? { text: labels, texttemplate: '%{text}', textfont: { size: 10 } } : {}),
    colorscale: mode === 'rank' ? SEQUENTIAL_REVERSED : SEQUENTIAL,
    zmin: 0,
    zmax: mode === 'rank' ? rankMax : 1,
    xgap: labels ? 1 : 0,
    ygap: labels ? 1 : 0,
    colorbar: {
      title: { text: mode === 'rank' ? 'target rank' : mode === 'target-prob' ? 'target prob.' : 'top-1 prob.', side: 'right' },
      thickness: 12,
      outlinewidth: 0,
      ...(mode === 'rank' ? { tickvals: rankTicks.map((v) => Math.log10(v)), ticktext: rankTicks.map(String) } : {}),
    },
  };
  const fewPositions = w.c1 - w.c0 <= LABEL_CELLS_UP_TO;
  return {
    data: [trace],
    layout: themedLayout({
      title: { text: `Logit lens${binned.reduced ? ' (binned: zoom for detail)' : ''}`, font: { size: 13 } },
      xaxis: {
        title: { text: 'position (input token)' },
        showgrid: false,
        automargin: true,
        tickangle: fewPositions ? -60 : 0,
        ...(fewPositions
          ? { tickmode: 'array', tickvals: x, ticktext: x.map((p) => positionTokenLabel(p, tokens[p]?.text ?? '', 8)) }
          : {}),
      },
      // Layer 0 on top, the model's output at the bottom: the order of every lens figure (notebooks, CLI images).
      yaxis: { tickmode: 'array', tickvals: r.rowLabels.map((_, i) => i), ticktext: [...r.rowLabels], autorange: 'reversed', showgrid: false, automargin: true, fixedrange: true },
      margin: { l: 110, r: 24, t: 40, b: 96 },
    }),
  };
}

/** Largest 1-based rank seen (the colour range of the rank mode). */
function worstRank(r: LogitLensResult): number {
  let m = 1;
  for (const v of r.targetRanks) if (Number.isFinite(v)) m = Math.max(m, v + 1);
  return m;
}

/** Exported data: one row per (layer, position) with the target and the top-k tokens. */
export function logitLensTable(r: LogitLensResult, tokens: readonly TokenInfo[]): Table {
  const columns = ['row', 'layer_label', 'pos', 'input_token', 'target_id', 'target_token', 'target_rank', 'target_prob'];
  for (let k = 0; k < r.topK; k++) columns.push(`top${k + 1}_token`, `top${k + 1}_prob`);
  const rows: (string | number | null)[][] = [];
  r.rowLabels.forEach((label, row) => {
    for (let p = 0; p < r.pos; p++) {
      const cell = row * r.pos + p;
      const t = r.targetIds[cell];
      const line: (string | number | null)[] = [row, label, p, tokens[p]?.text ?? '', t >= 0 ? t : null, t >= 0 ? (r.vocab[t] ?? '') : null, t >= 0 ? r.targetRanks[cell] : null, t >= 0 ? r.targetProbs[cell] : null];
      for (let k = 0; k < r.topK; k++) line.push(r.vocab[r.topIds[cell * r.topK + k]] ?? '', r.topProbs[cell * r.topK + k]);
      rows.push(line);
    }
  });
  return { columns, rows };
}
