/**
 * Method "attribution-graph" → analysis/methods/attribution-graph/: the circuit-tracing graph of
 * one prompt through per-layer transcoders (features, error nodes, embeddings, top logits; edges
 * are direct effects in the frozen replacement model), pruned by influence. The result carries the
 * graph in the JSON format Neuronpedia's graph viewer reads (`graph`, `--save FILE` in the CLI).
 */
import { z } from 'zod';
import { graphTranscoder, graphTranscodersFromClt } from '../methods/attribution-graph/from-dictionary.ts';
import type { AttributionGraph } from '../methods/attribution-graph/graph.ts';
import { attributionGraph, graphMatrixBytes } from '../methods/attribution-graph/graph.ts';
import type { NeuronpediaGraph } from '../methods/attribution-graph/neuronpedia.ts';
import { toNeuronpediaGraph } from '../methods/attribution-graph/neuronpedia.ts';
import type { Model } from '../model/model.ts';
import { num, PromptRefSchema, promptIds, tokenStrings } from './common.ts';
import { defineMethod } from './define.ts';
import type { GraphNode, GraphView, TableView } from './views.ts';
import { indexedLabels } from './views.ts';

const Params = z.strictObject({
  prompt: PromptRefSchema.default(0),
  transcoders: z
    .string()
    .min(1)
    .max(4096)
    .describe('Transcoders: a folder (one SAELens folder per layer named blocks.L.hook_mlp_out, a SAELens transcoder, a circuit-tracer per-layer set or cross-layer transcoder) or builtin:NAME'),
  maxLogits: z.number().int().min(1).max(50).default(10).describe('At most this many output logits as nodes'),
  logitProbability: z.number().min(0.01).max(1).default(0.95).describe('Logit nodes cover this much next-token probability'),
  nodeThreshold: z.number().min(0).max(1).default(0.8).describe('Keep nodes up to this cumulative share of influence'),
  edgeThreshold: z.number().min(0).max(1).default(0.98).describe('Keep edges up to this cumulative share of edge influence'),
  batchSize: z.number().int().min(1).max(1024).default(16).describe('Target nodes per backward pass'),
  maxNodes: z.number().int().min(10).max(20_000).default(4000).describe('Refuse larger graphs (memory grows with nodes²)'),
});

export type AttributionGraphJson = {
  tokens: string[];
  logits: { id: number; token: string; probability: number }[];
  replacementScore: number | null;
  completenessScore: number | null;
  maxIdentityError: number | null;
  activeFeatures: number;
  totalNodes: number;
  keptNodes: number;
  keptEdges: number;
  matrixBytes: number;
  nLayers: number;
  graph: NeuronpediaGraph;
};

function toJson(model: Model, g: AttributionGraph, ids: readonly number[], p: z.output<typeof Params>): AttributionGraphJson {
  const tokens = tokenStrings(model, ids);
  const label = (id: number) => tokenStrings(model, [id])[0];
  const graph = toNeuronpediaGraph(g, {
    slug: 'probescope-graph',
    scan: `${model.label} / ${p.transcoders}`,
    transcoderList: [p.transcoders],
    prompt: tokens.join(''),
    nLayers: model.spec.nLayers,
    nodeThreshold: p.nodeThreshold,
    tokenLabel: label,
  });
  return {
    tokens,
    logits: g.logitTokens.map((id, k) => ({ id, token: label(id), probability: g.logitProbabilities[k] })),
    replacementScore: num(g.scores.replacement),
    completenessScore: num(g.scores.completeness),
    maxIdentityError: num(g.checks.maxIdentityError),
    activeFeatures: g.features.length,
    totalNodes: g.values.length,
    keptNodes: graph.nodes.length,
    keptEdges: graph.links.length,
    matrixBytes: graphMatrixBytes(g.values.length),
    nLayers: model.spec.nLayers,
    graph,
  };
}

const KIND: Readonly<Record<NeuronpediaGraph['nodes'][number]['feature_type'], GraphNode['kind']>> = {
  'cross layer transcoder': 'feature',
  'mlp reconstruction error': 'error',
  embedding: 'embedding',
  logit: 'logit',
};

/** Rows bottom to top: embeddings, layers 0..L−1, logits. */
function graphView(r: AttributionGraphJson): GraphView {
  // Neuronpedia puts logits on layer nLayers + 1; here they sit on the row after the last layer.
  const rowOf = (n: { layer: string; feature_type: string }) => (n.feature_type === 'embedding' ? 0 : n.feature_type === 'logit' ? r.nLayers + 1 : Number(n.layer) + 1);
  const nodes = r.graph.nodes.map((n): GraphNode => {
    const kind = KIND[n.feature_type];
    const what =
      kind === 'feature'
        ? `L${n.layer} feature ${n.feature} at ${n.ctx_idx}: activation ${n.activation?.toPrecision(4)}`
        : kind === 'error'
          ? `L${n.layer} error at ${n.ctx_idx}`
          : kind === 'embedding'
            ? `embedding ${JSON.stringify(r.tokens[n.ctx_idx])} at ${n.ctx_idx}`
            : n.clerp;
    const ranked = kind === 'feature' || kind === 'error';
    return {
      id: n.node_id,
      label: what,
      kind,
      x: n.ctx_idx,
      y: rowOf(n),
      size: kind === 'logit' ? n.token_prob : 1 - (n.influence ?? 1),
      ...(ranked && n.influence !== null ? { cumulativeInfluence: n.influence } : {}),
    };
  });
  return {
    kind: 'graph',
    title: `Attribution graph (replacement ${r.replacementScore?.toFixed(3)}, completeness ${r.completenessScore?.toFixed(3)})`,
    x: { title: 'token position', labels: indexedLabels(r.tokens) },
    y: { title: 'layer', labels: ['embed', ...Array.from({ length: r.nLayers }, (_, l) => `L${l}`), 'logits'] },
    nodes,
    edges: r.graph.links,
  };
}

function nodeTable(r: AttributionGraphJson): TableView {
  return {
    kind: 'table',
    title: 'Attribution graph: kept nodes',
    columns: ['node', 'type', 'layer', 'position', 'feature', 'activation', 'cumulative influence'],
    rows: r.graph.nodes.map((n) => [n.node_id, n.feature_type, n.layer, n.ctx_idx, n.feature, n.activation, n.influence]),
  };
}

export const attributionGraphStep = defineMethod({
  method: 'attribution-graph',
  title: 'Attribution graph',
  description: 'Circuit tracing: transcoder features, error nodes, embeddings and logits linked by their direct effects in the frozen replacement model.',
  version: 1,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  views: { graph: 'graph', nodes: 'table' },
  defaultFigure: { view: 'graph', type: 'graph' },
  cli: { textViews: ['nodes'], save: { field: 'graph', what: 'the graph in Neuronpedia’s graph JSON format' } },
  async run(model, p, ctx): Promise<AttributionGraphJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const clt = (await ctx.crossLayerTranscoder?.(p.transcoders, 'transcoders')) ?? null;
    if (!clt && !ctx.dictionaries) throw new Error('params.transcoders: this host cannot open dictionaries');
    const transcoders = clt ? await graphTranscodersFromClt(clt, ctx.cltLayers) : (await ctx.dictionaries!(p.transcoders, 'transcoders')).map(graphTranscoder);
    const g = await attributionGraph(model, { ids }, {
      transcoders,
      maxLogits: p.maxLogits,
      logitProbability: p.logitProbability,
      nodeThreshold: p.nodeThreshold,
      edgeThreshold: p.edgeThreshold,
      batchSize: p.batchSize,
      maxNodes: p.maxNodes,
      signal: ctx.signal,
      // Each backward pass ends in one read-back, which the metered model counts.
      onProgress: (done, total) => done === 0 && ctx.plan(total),
    });
    return toJson(model, g, ids, p);
  },
  view(r, name) {
    return name === 'nodes' ? nodeTable(r) : graphView(r);
  },
});
