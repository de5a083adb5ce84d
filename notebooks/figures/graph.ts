/**
 * A graph view (attribution graphs) as a Plotly node-link figure: token positions across, rows
 * (embeddings, layers, logits) up; nodes that share a cell are spread side by side. Edges are
 * line segments coloured by sign with the diverging scale's ends (red positive, blue negative)
 * and drawn in three widths by |weight| (one trace per sign and width, segments split by null).
 */
import type { JsonObject } from '../../analysis/json.ts';
import type { GraphNode, GraphView } from '../../analysis/registry/views.ts';

const POSITIVE = '#b2182b';
const NEGATIVE = '#2166ac';
const NODE_COLOURS: Readonly<Record<GraphNode['kind'], string>> = { feature: '#4d4d4d', error: '#bababa', embedding: '#1b7837', logit: '#762a83' };
const NODE_SYMBOLS: Readonly<Record<GraphNode['kind'], string>> = { feature: 'circle', error: 'diamond', embedding: 'square', logit: 'star' };

/** Each node's drawn position: its column, offset within the cell when several share it. */
export function graphLayout(view: GraphView): Map<string, { x: number; y: number }> {
  const cells = new Map<string, GraphNode[]>();
  for (const n of view.nodes) {
    const key = `${n.x},${n.y}`;
    cells.set(key, [...(cells.get(key) ?? []), n]);
  }
  const at = new Map<string, { x: number; y: number }>();
  for (const group of cells.values()) {
    const k = group.length;
    group.forEach((n, i) => at.set(n.id, { x: n.x + (k === 1 ? 0 : (i / (k - 1) - 0.5) * 0.7), y: n.y }));
  }
  return at;
}

export function graphTraces(view: GraphView, text: (s: string) => string): JsonObject[] {
  const at = graphLayout(view);
  const top = Math.max(1e-12, ...view.edges.map((e) => Math.abs(e.weight)));
  const buckets = new Map<string, { x: (number | null)[]; y: (number | null)[]; width: number; colour: string }>();
  for (const e of view.edges) {
    const s = at.get(e.source);
    const t = at.get(e.target);
    if (!s || !t) continue;
    const share = Math.abs(e.weight) / top;
    const width = share > 0.5 ? 3 : share > 0.15 ? 1.5 : 0.6;
    const colour = e.weight >= 0 ? POSITIVE : NEGATIVE;
    const key = `${colour}${width}`;
    const b = buckets.get(key) ?? { x: [], y: [], width, colour };
    b.x.push(s.x, t.x, null);
    b.y.push(s.y, t.y, null);
    buckets.set(key, b);
  }
  const edges = [...buckets.values()].map((b) => ({
    type: 'scatter',
    mode: 'lines',
    x: b.x,
    y: b.y,
    line: { color: b.colour, width: b.width },
    opacity: 0.6,
    hoverinfo: 'skip',
    showlegend: false,
  }));
  const kinds = [...new Set(view.nodes.map((n) => n.kind))];
  const nodes = kinds.map((kind) => {
    const list = view.nodes.filter((n) => n.kind === kind);
    return {
      type: 'scatter',
      mode: 'markers',
      name: kind,
      x: list.map((n) => at.get(n.id)!.x),
      y: list.map((n) => at.get(n.id)!.y),
      text: list.map((n) => text(n.label)),
      customdata: list.map((n) => n.id),
      hovertemplate: '%{text}<extra></extra>',
      marker: { color: NODE_COLOURS[kind], symbol: NODE_SYMBOLS[kind], size: list.map((n) => 6 + 18 * Math.sqrt(Math.min(1, Math.max(0, n.size)))), line: { color: '#ffffff', width: 1 } },
    };
  });
  return [...edges, ...nodes];
}

/** Axes: token labels under the columns, row labels up the side. */
export function graphAxes(view: GraphView, text: (s: string) => string): JsonObject {
  const ticks = (labels: readonly string[]) => ({ tickmode: 'array', tickvals: labels.map((_, i) => i), ticktext: labels.map(text) });
  return {
    xaxis: { title: { text: text(view.x.title) }, ...ticks(view.x.labels), zeroline: false, showgrid: false, tickangle: view.x.labels.length > 12 ? -45 : 0 },
    yaxis: { title: { text: text(view.y.title) }, ...ticks(view.y.labels), zeroline: false },
    hoverlabel: { bgcolor: '#ffffff', font: { color: '#111111' } },
  };
}
