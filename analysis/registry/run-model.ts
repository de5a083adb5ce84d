/**
 * Method "run-model" → analysis/model/run.ts: one forward pass with captures and interventions
 * given as data (the same intervention JSON as `probescope run --intervene`), so a notebook or a
 * saved run holds "model + interventions" and what came out: the next-token top-k and the loss
 * beside the clean run's, and every captured activation's norm by position (or by the hook's
 * second axis). Interventions that copy from another run (`resample`, `replace`) name a prompt
 * in `sources`; its activations at those hooks are captured first.
 */
import { z } from 'zod';
import { interventionSummary } from '../hooks/intervention-summary.ts';
import type { ActivationCache, Intervention, NamedCaches } from '../hooks/interventions.ts';
import { InterventionSchema } from '../hooks/interventions.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import type { TokenJson } from './common.ts';
import { num, PromptRefSchema, promptIds, tokenJson, tokenStrings } from './common.ts';
import type { MethodInputs } from './contract.ts';
import { defineMethod } from './define.ts';

const Params = z.strictObject({
  prompt: PromptRefSchema.default(0),
  interventions: z.array(InterventionSchema).max(256).default([]).describe('Interventions as data: [{hook, op, head?, pos?, neuron?, batch?, source?, vector?, factor?}].'),
  capture: z.array(z.string().min(1).max(200)).max(64).default([]).describe('Hook names or globs whose activations are summarised (norm by position).'),
  sources: z.record(z.string().min(1).max(100), PromptRefSchema).default({}).describe('Named prompts that resample/replace interventions copy from: {"corrupt": 1}.'),
  topK: z.number().int().min(1).max(100).default(10),
});

type N = number | null;
type Top = TokenJson & { logit: N; prob: N; cleanProb: N };
type RunModelJson = {
  ids: number[];
  tokens: string[];
  interventions: Intervention[];
  /** The model and its interventions, one per line. */
  summary: string;
  loss: N;
  cleanLoss: N;
  /** Next-token top-k at the last position of the intervened run, with the clean run's probability. */
  top: Top[];
  /** Per captured hook: its shape and the L2 norm of each slice along its second axis (batch row 0). */
  captures: { hook: string; shape: number[]; norms: N[] }[];
};

function softmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const out = new Float64Array(row.length);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += out[i] = Math.exp(row[i] - max);
  for (let i = 0; i < row.length; i++) out[i] /= sum;
  return out;
}

function lastRow(logits: { shape: readonly number[]; data: Float32Array }): Float32Array {
  const V = logits.shape[logits.shape.length - 1];
  return logits.data.subarray(logits.data.length - V);
}

/** L2 norm of every slice along axis 1 of batch row 0. */
function sliceNorms(shape: readonly number[], data: Float32Array): N[] {
  const rows = shape.length > 1 ? shape[1] : 1;
  const width = shape.slice(2).reduce((a, b) => a * b, 1);
  return Array.from({ length: rows }, (_, r) => {
    let s = 0;
    for (let i = r * width; i < (r + 1) * width; i++) s += data[i] * data[i];
    return num(Math.sqrt(s));
  });
}

/** The activations each named source prompt provides at the hooks its interventions read. */
async function sourceCaches(model: Model, ctx: MethodInputs, sources: Record<string, number | string>, interventions: readonly Intervention[]): Promise<NamedCaches> {
  const caches: NamedCaches = {};
  for (const iv of interventions) {
    if (iv.source !== undefined && !Object.hasOwn(sources, iv.source)) {
      throw new Error(`params.interventions: "${iv.source}" is not a named source (sources: ${Object.keys(sources).join(', ') || 'none'})`);
    }
  }
  for (const [name, ref] of Object.entries(sources)) {
    const hooks = [...new Set(interventions.filter((iv) => iv.source === name || iv.reference === name).map((iv) => iv.hook))];
    if (hooks.length === 0) continue;
    const out = await run(model, { ids: promptIds(model, ctx, ref, `sources.${name}`) }, { capture: hooks, logits: 'none' });
    caches[name] = out.cache as ActivationCache;
  }
  return caches;
}

export const runModelStep = defineMethod({
  method: 'run-model',
  title: 'Run with interventions',
  description: 'One forward pass with interventions as data: next-token top-k and loss beside the clean run, captured activations by position.',
  version: 1,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }, ...Object.entries(p.sources).map(([name, ref]) => ({ field: `sources.${name}`, ref }))],
  cli: { textViews: ['top-tokens'] },
  views: { 'top-tokens': 'table', 'capture-norms': 'grid', probabilities: 'series' },
  defaultFigure: { view: 'top-tokens', type: 'table' },
  async run(model, p, ctx): Promise<RunModelJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const caches = await sourceCaches(model, ctx, p.sources, p.interventions);
    const clean = await run(model, { ids }, { logits: 'all' });
    const ran = await run(model, { ids }, { logits: 'all', capture: p.capture, interventions: p.interventions, caches });
    const probs = softmax(lastRow(ran.logits!));
    const cleanProbs = softmax(lastRow(clean.logits!));
    const logits = lastRow(ran.logits!);
    const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b).slice(0, p.topK);
    return {
      ids,
      tokens: tokenStrings(model, ids),
      interventions: p.interventions,
      summary: interventionSummary(model.label, p.interventions),
      loss: ran.loss === null ? null : num(ran.loss),
      cleanLoss: clean.loss === null ? null : num(clean.loss),
      top: order.map((id) => ({ ...tokenJson(model, id), logit: num(logits[id]), prob: num(probs[id]), cleanProb: num(cleanProbs[id]) })),
      captures: Object.entries(ran.cache).map(([hook, a]) => ({ hook, shape: [...a.shape], norms: sliceNorms(a.shape, a.data) })),
    };
  },
  view(r, name) {
    const title = r.summary.replace(/\n\s*/g, ' ');
    if (name === 'top-tokens') {
      return {
        kind: 'table',
        title: `Next token after ${JSON.stringify(r.tokens.join(''))}: ${title}`,
        columns: ['rank', 'token', 'id', 'logit', 'p', 'p without interventions'],
        rows: r.top.map((t, i) => [i + 1, JSON.stringify(t.token), t.id, t.logit, t.prob, t.cleanProb]),
      };
    }
    if (name === 'probabilities') {
      return {
        kind: 'series',
        title: `Next-token probabilities: ${title}`,
        x: { title: 'token', labels: r.top.map((t) => `${JSON.stringify(t.token)} (${t.id})`) },
        yTitle: 'probability',
        traces: [
          { name: 'intervened', values: r.top.map((t) => t.prob) },
          { name: 'clean', values: r.top.map((t) => t.cleanProb) },
        ],
      };
    }
    const width = Math.max(0, ...r.captures.map((c) => c.norms.length));
    return {
      kind: 'grid',
      title: `Captured activations (L2 norm along each hook's second axis): ${title}`,
      x: { title: 'position / index', labels: Array.from({ length: width }, (_, i) => (i < r.tokens.length ? `${i}: ${r.tokens[i]}` : String(i))) },
      y: { title: 'hook', labels: r.captures.map((c) => c.hook) },
      z: r.captures.map((c) => Array.from({ length: width }, (_, i) => c.norms[i] ?? null)),
      zTitle: '‖activation‖',
      signed: false,
    };
  },
});
