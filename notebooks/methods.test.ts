/**
 * Every registered step on stories260K with small parameters: its result survives a JSON round
 * trip (what the stores do), every declared view has the declared kind and draws as every figure
 * type that kind allows, and a few identities tie the adapter to its method.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { MemoryCache } from './cache.ts';
import { toPlotly } from './figures/plotly.ts';
import { FIGURE_TYPES_FOR } from '../analysis/registry/views.ts';
import type { Json } from '../analysis/json.ts';
import { nodeModelHost } from './node/model-host.ts';
import type { CellOutput } from './runner.ts';
import { runNotebook } from './runner.ts';
import type { NotebookInput } from './schema.ts';
import { validateNotebook } from './validate.ts';
import { METHODS } from '../analysis/registry/registry.ts';

const CLEAN = 'Once upon a time, there was a girl named Lily. One day,';
const CORRUPT = 'Once upon a time, there was a girl named Tim. One day,';

const SAE = 'builtin:stories260K-saes/blocks.2.hook_resid_post';

/** One small use of each step, by method. */
const USES: Record<string, Record<string, unknown>> = {
  'run-model': { prompt: 'story', interventions: [{ hook: 'blocks.3.attn.hook_z', op: 'zero', head: 2 }], capture: ['blocks.0.hook_resid_post'], topK: 3 },
  'logit-lens': { prompt: 'story', topK: 3, targets: [' she', 7], nextToken: true },
  'attention-patterns': { prompt: 'story', layers: [0, 4], heads: [1, 5], focus: { layer: 4, head: 5 } },
  'neuron-decoding': { layer: 1, neuron: 3, topK: 4 },
  dla: { prompt: 'story', answer: ' Lily', wrong: ' Tim' },
  'head-ablation': { prompt: 'story', mode: 'mean', layers: [0, 4] },
  'ablate-heads': { prompt: 'story', heads: ['1.2', '3.1'], mode: 'mean' },
  'activation-patching': { clean: 'clean', corrupted: 'corrupt', hook: 'z', answer: ' Lily', wrong: ' Tim' },
  'path-patching': { clean: 'clean', corrupted: 'corrupt', senders: [{ layer: 2, head: 6 }], answer: ' Lily', wrong: ' Tim' },
  'head-scores': { n: 6, batch: 1 },
  'attribution-patching': { clean: 'clean', corrupted: { noise: { positions: [13] } }, hook: 'resid_pre', answer: ' Lily', wrong: ' Tim' },
  linearscope: { prompt: 'clean', target: ' Lily', wrong: ' Tim' },
  probe: { layers: [1, 3], decodeTopK: 2 },
  obsprop: { positive: [' he'], negative: [' she'], prompt: 'story', couplingHeads: 3, effects: 'zero' },
  'feature-dashboards': { dictionary: SAE, feature: 3, samples: 4, length: 12, topContexts: 3 },
  'feature-steer': { dictionary: SAE, feature: 3, value: 8, prompt: 'story', maxNewTokens: 4 },
  'feature-search': { dictionary: SAE, prompt: 'story', top: 5 },
  'feature-attribution': { dictionary: 'builtin:stories260K-saes/blocks.4.hook_resid_post', prompt: 'story', answer: ' Lily', wrong: ' Tim', top: 5 },
  'attribution-graph': { prompt: 'story', transcoders: 'builtin:stories260K-transcoders', batchSize: 128, maxLogits: 3 },
  'retrieval-heads': { contextLengths: [64], depths: [50], needles: [{ needle: 'Lily had a pet frog named Max.', question: 'The frog was named', answer: 'Max' }], maxNewTokens: 4, maskTopK: 1, draws: 1 },
};

const CELLS: NotebookInput['cells'] = [
  { kind: 'model', id: 'm', ref: 'builtin:stories260K' },
  { kind: 'prompts', id: 'p', prompts: [{ label: 'story', text: 'Lily and Tim played. Lily gave the ball to' }, { label: 'clean', text: CLEAN }, { label: 'corrupt', text: CORRUPT }] },
  {
    kind: 'dataset',
    id: 'd',
    dataset: {
      examples: ['Lily', 'Sue', 'Mia', 'Anna', 'Tom', 'Ben', 'Tim', 'Max'].flatMap((name, i) =>
        ['Once upon a time, there was a little NAME. One day,', 'NAME went to the park. Then'].map((t, k) => ({ prompt: t.replace('NAME', name), label: i < 4 ? 'girl' : 'boy', split: k === 0 ? ('train' as const) : ('test' as const) })),
      ),
    },
  },
];

function coupling(r: { coupling: { heads: string[]; values: number[][] } }): string[] {
  r.coupling.values.forEach((row, i) => expect(row[i]).toBeCloseTo(1, 12));
  return r.coupling.heads;
}

describe('every registered step', () => {
  const results = new Map<string, Json>();

  beforeAll(async () => {
    const cells = [...CELLS, ...Object.entries(USES).map(([method, params]) => ({ kind: 'analysis' as const, id: method.replace(/-/g, '_'), method, params }))];
    const plan = validateNotebook({ format: 'probescope.notebook', version: 1, title: 'all steps', cells });
    const run = await runNotebook(plan, { models: nodeModelHost(createCpuBackend(), '.'), cache: new MemoryCache(), backend: 'cpu' });
    for (const o of run.outputs) if (o.kind === 'analysis') results.set(o.method, (o as Extract<CellOutput, { kind: 'analysis' }>).result);
  }, 240_000);

  it('has a use in this test', () => {
    expect(Object.keys(USES).sort()).toEqual([...METHODS.keys()].sort());
  });

  for (const [method, step] of METHODS) {
    it(`${method}: JSON round trip, every view in every allowed figure type`, () => {
      const result = results.get(method)!;
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      expect(step.views[step.defaultFigure.view]).toBeDefined();
      expect(FIGURE_TYPES_FOR[step.views[step.defaultFigure.view]]).toContain(step.defaultFigure.type);
      for (const [name, kind] of Object.entries(step.views)) {
        const view = step.view(result, name);
        expect(view.kind).toBe(kind);
        for (const type of FIGURE_TYPES_FOR[kind]) {
          const fig = toPlotly(view, type);
          expect(fig.data.length).toBeGreaterThan(0);
        }
        if (view.kind === 'grid') {
          expect(view.z).toHaveLength(view.y.labels.length);
          for (const row of view.z) expect(row).toHaveLength(view.x.labels.length);
          expect(new Set(view.x.labels).size).toBe(view.x.labels.length);
        }
        if (view.kind === 'series') for (const t of view.traces) expect(t.values).toHaveLength(view.x.labels.length);
      }
    });
  }

  it('ties adapters to their methods: DLA sums to its metric, patching restores itself, LinearScope replays exactly', () => {
    const dla = results.get('dla') as { metric: number; total: number; unembedBias: number; answer: { token: string } };
    expect(dla.answer.token).toBe(' Lily');
    expect(dla.total + dla.unembedBias).toBeCloseTo(dla.metric, 4);
    const attr = results.get('attribution-patching') as { exact: number[]; shape: number[]; cleanMetric: number; corruptedMetric: number };
    // Denoising the noised position before block 0 restores the clean metric exactly.
    expect(attr.exact[13]).toBeCloseTo(attr.cleanMetric - attr.corruptedMetric, 4);
    const ls = results.get('linearscope') as { logit: number; replay: number; bias: number; perPosition: number[] };
    expect(ls.replay).toBeCloseTo(ls.logit, 4);
    expect(ls.perPosition.reduce((a, b) => a + b, 0) + ls.bias).toBeCloseTo(ls.logit, 3);
    const probe = results.get('probe') as { layers: { layer: number }[]; nTrain: number; nTest: number };
    expect(probe.layers.map((l) => l.layer)).toEqual([1, 3]);
    expect([probe.nTrain, probe.nTest]).toEqual([8, 8]);
    const obs = results.get('obsprop') as { coupling: { heads: string[]; values: number[][] }; ranking: { head: string }[] };
    expect(coupling(obs)).toEqual(obs.ranking.slice(0, 3).map((h) => h.head));
    const niah = results.get('retrieval-heads') as { samples: unknown[]; masking: { heads: string[] } };
    expect(niah.samples).toHaveLength(1);
    expect(niah.masking.heads).toHaveLength(1);
    const ablation = results.get('head-ablation') as { layers: number[]; totalEffect: number[][] };
    expect(ablation.layers).toEqual([0, 4]);
    expect(ablation.totalEffect).toHaveLength(2);
  });
});
