/**
 * An attribution graph in the JSON graph format that Neuronpedia's and circuit-tracer's graph
 * viewer reads (circuit-tracer `create_graph_files`): `metadata`, `qParams`, the kept nodes
 * (after pruning) and the kept edges as `links` {source, target, weight}.
 *
 * Node ids follow that format: features `{layer}_{feature}_{pos}`, error nodes `0_{layer}_{pos}`,
 * embeddings `E_{token}_{pos}`, logits `{nLayers + 1}_{token}_{pos}`.
 */
import type { AttributionGraph } from './graph.ts';

/** Plain JSON types (no readonly, type aliases) so results holding them are Json. */
export type NeuronpediaNode = {
  node_id: string;
  feature: number;
  layer: string;
  ctx_idx: number;
  feature_type: 'cross layer transcoder' | 'mlp reconstruction error' | 'embedding' | 'logit';
  token_prob: number;
  is_target_logit: boolean;
  run_idx: number;
  reverse_ctx_idx: number;
  jsNodeId: string;
  clerp: string;
  influence: number | null;
  activation: number | null;
};

export type NeuronpediaGraph = {
  metadata: {
    slug: string;
    scan: string;
    transcoder_list: string[];
    prompt_tokens: string[];
    prompt: string;
    node_threshold: number;
  };
  qParams: { pinnedIds: string[]; supernodes: string[][]; linkType: string; clickedId: string; sg_pos: string };
  nodes: NeuronpediaNode[];
  links: { source: string; target: string; weight: number }[];
};

export interface NeuronpediaOptions {
  readonly slug: string;
  /** Which model / transcoder set made the graph (Neuronpedia's `scan`). */
  readonly scan: string;
  readonly transcoderList?: string[];
  readonly prompt: string;
  readonly nLayers: number;
  readonly nodeThreshold: number;
  /** A token id as a readable label. */
  readonly tokenLabel: (id: number) => string;
  /** Supernodes: [name, ...node ids]. */
  readonly supernodes?: string[][];
}

/** Ids of every node of the graph, in its node order (kept or not). */
export function nodeIds(g: AttributionGraph, nLayers: number): string[] {
  const pos = g.ids.length;
  const logitLayer = nLayers + 1;
  return [
    ...g.features.map((f) => `${f.layer}_${f.feature}_${f.pos}`),
    ...Array.from({ length: g.layout.errors }, (_, i) => `0_${Math.floor(i / pos)}_${i % pos}`),
    ...g.ids.map((t, p) => `E_${t}_${p}`),
    ...g.logitTokens.map((t) => `${logitLayer}_${t}_${pos - 1}`),
  ];
}

export function toNeuronpediaGraph(g: AttributionGraph, options: NeuronpediaOptions): NeuronpediaGraph {
  const ids = nodeIds(g, options.nLayers);
  const n = ids.length;
  const pos = g.ids.length;
  const { features: F, errors: E, embeddings: T } = g.layout;
  const nodes: NeuronpediaNode[] = [];
  const base = { token_prob: 0, is_target_logit: false, run_idx: 0, reverse_ctx_idx: 0, clerp: '', activation: null as number | null };
  for (let i = 0; i < n; i++) {
    if (!g.pruned.nodeMask[i]) continue;
    const influence = g.pruned.cumulativeInfluence[i];
    if (i < F) {
      const f = g.features[i];
      nodes.push({ ...base, node_id: ids[i], feature: f.feature, layer: String(f.layer), ctx_idx: f.pos, feature_type: 'cross layer transcoder', jsNodeId: `${f.layer}_${f.feature}-0`, influence, activation: f.activation });
    } else if (i < F + E) {
      const layer = Math.floor((i - F) / pos);
      const p = (i - F) % pos;
      nodes.push({ ...base, node_id: ids[i], feature: -1, layer: String(layer), ctx_idx: p, feature_type: 'mlp reconstruction error', jsNodeId: `${layer}_${p}-0`, influence });
    } else if (i < F + E + T) {
      const p = i - F - E;
      nodes.push({ ...base, node_id: ids[i], feature: p, layer: 'E', ctx_idx: p, feature_type: 'embedding', jsNodeId: `E_${g.ids[p]}-${p}`, influence });
    } else {
      const k = i - F - E - T;
      const token = g.logitTokens[k];
      const p = g.logitProbabilities[k];
      nodes.push({
        ...base,
        node_id: ids[i],
        feature: token,
        layer: String(options.nLayers + 1),
        ctx_idx: pos - 1,
        feature_type: 'logit',
        token_prob: p,
        is_target_logit: k === 0,
        jsNodeId: `L_${token}-${pos - 1}`,
        clerp: `Output "${options.tokenLabel(token)}" (p=${p.toFixed(3)})`,
        influence: null,
      });
    }
  }
  const links: NeuronpediaGraph['links'] = [];
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < n; s++) {
      if (g.pruned.edgeMask[t * n + s] && g.pruned.nodeMask[t] && g.pruned.nodeMask[s]) links.push({ source: ids[s], target: ids[t], weight: g.adjacency[t * n + s] });
    }
  }
  return {
    metadata: {
      slug: options.slug,
      scan: options.scan,
      transcoder_list: options.transcoderList ?? [],
      prompt_tokens: g.ids.map(options.tokenLabel),
      prompt: options.prompt,
      node_threshold: options.nodeThreshold,
    },
    qParams: { pinnedIds: [], supernodes: options.supernodes ?? [], linkType: 'both', clickedId: '', sg_pos: '' },
    nodes,
    links,
  };
}
