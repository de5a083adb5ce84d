/**
 * Sparse-dictionary methods (analysis/dictionaries/): feature dashboards over a corpus of the
 * model's own seeded samples, steering with a feature side by side with the clean text,
 * "which features fire here?", and direct logit attribution split into features. The dictionary is a reference the host resolves (a folder path,
 * `builtin:stories260K-saes/blocks.2.hook_resid_post`, an opened dictionary in the app).
 */
import { z } from 'zod';
import type { HostDictionary } from '../dictionaries/dictionary.ts';
import { featureDashboards, featuresAt } from '../dictionaries/dashboard.ts';
import { featureLogitAttribution } from '../dictionaries/feature-attribution.ts';
import type { FeatureDashboard } from '../dictionaries/dashboard.ts';
import { sampleCorpus } from '../dictionaries/corpus.ts';
import { dictionaryOnBackend, disposeDictionary } from '../dictionaries/device.ts';
import { checkDictionaryForModel } from '../dictionaries/open.ts';
import type { DictionaryUse } from '../dictionaries/splice.ts';
import { generate } from '../model/generate.ts';
import type { Model } from '../model/model.ts';
import type { MethodInputs } from './contract.ts';
import { PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';
import { defineMethod } from './define.ts';

const DictionaryRef = z.string().min(1).describe('The dictionary: a folder (SAELens, circuit-tracer, Gemma Scope 2) or builtin:stories260K-saes/blocks.L.hook_resid_post.');
const HookChoice = z.string().min(1).optional().describe('Which dictionary of a set (its output hook), for folders holding several.');

async function openDictionary(model: Model, ctx: MethodInputs, ref: string, hook: string | undefined): Promise<HostDictionary> {
  if (!ctx.dictionaries) throw new Error('params.dictionary: this host cannot open dictionaries');
  const all = await ctx.dictionaries(ref, 'dictionary');
  const chosen = hook === undefined ? all : all.filter((d) => d.config.hookOut === hook);
  if (chosen.length !== 1) {
    throw new Error(`params.hook: ${ref} holds ${all.length} dictionaries (${all.map((d) => d.config.hookOut).join(', ')}); name one with "hook"`);
  }
  checkDictionaryForModel(chosen[0].config, model.hookPoints, model.spec);
  return chosen[0];
}

/** Runs `body` with the dictionary on the model's backend, released afterwards. */
async function withDictionary<T>(model: Model, host: HostDictionary, body: (use: DictionaryUse['dictionary']) => Promise<T>): Promise<T> {
  const dict = dictionaryOnBackend(host, model.backend);
  try {
    return await body(dict);
  } finally {
    disposeDictionary(dict);
  }
}

const DashboardParams = z.strictObject({
  dictionary: DictionaryRef,
  hook: HookChoice,
  feature: z.number().int().nonnegative().default(0).describe('The feature the views show (all features are computed).'),
  samples: z.number().int().min(1).max(4096).default(64).describe('Corpus: this many seeded samples of the model from BOS.'),
  length: z.number().int().min(2).max(1024).default(64),
  seed: z.number().int().nonnegative().default(0),
  topContexts: z.number().int().min(1).max(50).default(10),
});

export type Tok = { id: number; token: string; value: number };
export type ContextJson = { sequence: number; position: number; activation: number; tokens: string[]; acts: number[]; focus: number };
export type FeatureJson = Omit<FeatureDashboard, 'contexts' | 'topLogits' | 'bottomLogits'> & { contexts: ContextJson[]; topLogits: Tok[] | null; bottomLogits: Tok[] | null };
/**
 * `features`: every feature in order, as the method returns it, or some of them (stored
 * dashboards shown or pinned in the app hold the focused feature only); views find the focused
 * feature by its id.
 */
export type DashboardsJson = { dictionary: string; hookOut: string; dSae: number; sequences: number; positions: number; focus: number; features: FeatureJson[] };

/** The focused feature's dashboard (at index `focus` when the result holds every feature). */
export function focusedFeature(r: DashboardsJson): FeatureJson {
  const f = r.features[r.focus]?.feature === r.focus ? r.features[r.focus] : r.features.find((x) => x.feature === r.focus);
  if (f === undefined) throw new Error(`feature-dashboards result: feature ${r.focus} is not among its ${r.features.length} features`);
  return f;
}

export const featureDashboardsStep = defineMethod({
  method: 'feature-dashboards',
  title: 'Feature dashboards',
  description: 'Top-activating contexts, activation histogram, logit weights and nearest features of every dictionary feature over seeded samples.',
  version: 1,
  params: DashboardParams,
  input: 'none',
  cli: { textViews: ['contexts', 'features'] },
  views: { contexts: 'table', histogram: 'series', logits: 'series', neighbours: 'table', features: 'table' },
  defaultFigure: { view: 'contexts', type: 'table' },
  async run(model, p, ctx): Promise<DashboardsJson> {
    const host = await openDictionary(model, ctx, p.dictionary, p.hook);
    if (p.feature >= host.config.dSae) throw new Error(`params.feature: ${p.feature} is outside [0, ${host.config.dSae})`);
    ctx.plan(p.samples * p.length + p.samples);
    const corpus = await sampleCorpus(model, { samples: p.samples, length: p.length, seed: p.seed, signal: ctx.signal });
    const d = await withDictionary(model, host, (dict) => featureDashboards(model, dict, corpus, { topContexts: p.topContexts, signal: ctx.signal }));
    const tok = (t: { id: number; value: number }): Tok => ({ id: t.id, token: tokenStrings(model, [t.id])[0], value: t.value });
    return {
      dictionary: d.dictionary,
      hookOut: d.hookOut,
      dSae: d.dSae,
      sequences: d.sequences,
      positions: d.positions,
      focus: p.feature,
      features: d.features.map((f) => ({
        ...f,
        contexts: f.contexts.map((c) => ({ sequence: c.sequence, position: c.position, activation: c.activation, tokens: tokenStrings(model, c.ids), acts: c.acts, focus: c.focus })),
        topLogits: f.topLogits && f.topLogits.map(tok),
        bottomLogits: f.bottomLogits && f.bottomLogits.map(tok),
      })),
    };
  },
  view(r, name) {
    const f = focusedFeature(r);
    const id = `feature ${r.focus} of ${r.dictionary}`;
    switch (name) {
      case 'histogram':
        return {
          kind: 'series',
          title: `${id}: activation histogram (density ${(100 * f.density).toFixed(2)}% of ${r.positions} positions)`,
          x: { title: 'activation', labels: f.histogram.counts.map((_, i) => `${i}: ${f.histogram.edges[i].toPrecision(3)}–${f.histogram.edges[i + 1].toPrecision(3)}`) },
          yTitle: 'positions',
          traces: [{ name: 'count', values: f.histogram.counts }],
        };
      case 'logits': {
        const toks = [...(f.topLogits ?? []), ...[...(f.bottomLogits ?? [])].reverse()];
        return {
          kind: 'series',
          title: `${id}: logit weights W_dec[f] · W_U (top and bottom tokens)`,
          x: { title: 'token', labels: toks.map((t, i) => `${i}: ${JSON.stringify(t.token)}`) },
          yTitle: 'W_dec[f] · W_U',
          traces: [{ name: 'logit weight', values: toks.map((t) => t.value) }],
        };
      }
      case 'neighbours':
        return { kind: 'table', title: `${id}: nearest features by decoder cosine`, columns: ['feature', 'cosine'], rows: f.neighbours.map((n) => [n.feature, n.cosine]) };
      case 'features':
        return {
          kind: 'table',
          title: `${r.dictionary}: ${r.features.length === r.dSae ? 'every feature' : `${r.features.length} of ${r.dSae} features`} over ${r.sequences} samples`,
          columns: ['feature', 'density', 'max activation', 'top logit token'],
          rows: r.features.map((x) => [x.feature, x.density, x.maxActivation, x.topLogits?.[0] ? JSON.stringify(x.topLogits[0].token) : null]),
        };
      default:
        return {
          kind: 'table',
          title: `${id}: top-activating contexts (the activating token in [brackets])`,
          columns: ['rank', 'activation', 'sample', 'position', 'context'],
          rows: f.contexts.map((c, i) => [i + 1, c.activation, c.sequence, c.position, c.tokens.map((t, j) => (j === c.focus ? `[${t}]` : t)).join('')]),
        };
    }
  },
});

const SteerParams = z.strictObject({
  dictionary: DictionaryRef,
  hook: HookChoice,
  feature: z.number().int().nonnegative(),
  mode: z.enum(['add', 'scale', 'clamp']).default('add').describe('add: + value · W_dec[f]; scale: the feature × value; clamp: the feature = value.'),
  value: z.number().default(8),
  prompt: PromptRefSchema.default(0),
  maxNewTokens: z.number().int().min(1).max(512).default(32),
  temperature: z.number().min(0).max(5).default(0),
  seed: z.number().int().nonnegative().default(0),
});

export type Continuation = { text: string; ids: number[] };
export type SteerJson = { feature: number; mode: string; value: number; prompt: string; clean: Continuation; steered: Continuation };

export const featureSteerStep = defineMethod({
  method: 'feature-steer',
  title: 'Feature steering',
  description: 'Generate with a dictionary feature added, scaled or clamped, side by side with the clean continuation.',
  version: 1,
  params: SteerParams,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { textViews: ['texts'] },
  views: { texts: 'table' },
  defaultFigure: { view: 'texts', type: 'table' },
  async run(model, p, ctx): Promise<SteerJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const host = await openDictionary(model, ctx, p.dictionary, p.hook);
    if (p.feature >= host.config.dSae) throw new Error(`params.feature: ${p.feature} is outside [0, ${host.config.dSae})`);
    ctx.plan(2 * p.maxNewTokens);
    const sampling = { maxNewTokens: p.maxNewTokens, temperature: p.temperature, seed: p.seed };
    const text = (r: { newIds: number[]; text: string | null }): Continuation => ({ ids: r.newIds, text: r.text ?? tokenStrings(model, r.newIds).join('') });
    const clean = await generate(model, { ids }, sampling);
    const steered = await withDictionary(model, host, (dictionary) => {
      // Steering is spliced with the error term, so only the feature's change reaches the model.
      const use: DictionaryUse =
        p.mode === 'add'
          ? { dictionary, errorTerm: true, steer: [{ feature: p.feature, coefficient: p.value }] }
          : { dictionary, errorTerm: true, features: [{ feature: p.feature, op: p.mode, value: p.value }] };
      return generate(model, { ids }, { ...sampling, dictionaries: [use] });
    });
    return { feature: p.feature, mode: p.mode, value: p.value, prompt: tokenStrings(model, ids).join(''), clean: text(clean), steered: text(steered) };
  },
  view(r) {
    return {
      kind: 'table',
      title: `feature ${r.feature}: ${r.mode} ${r.value}, after ${JSON.stringify(r.prompt)}`,
      columns: ['run', 'continuation'],
      rows: [
        ['clean', r.clean.text],
        [`feature ${r.feature} ${r.mode} ${r.value}`, r.steered.text],
      ],
    };
  },
});

const SearchParams = z.strictObject({
  dictionary: DictionaryRef,
  hook: HookChoice,
  prompt: PromptRefSchema.default(0),
  position: PositionSchema.default(-1),
  top: z.number().int().min(1).max(200).default(20),
});

export type SearchJson = { prompt: string[]; position: number; features: { feature: number; activation: number }[] };

export const featureSearchStep = defineMethod({
  method: 'feature-search',
  title: 'Which features fire here?',
  description: 'The dictionary features active at a position of a prompt, strongest first.',
  version: 1,
  params: SearchParams,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { textViews: ['features'] },
  views: { features: 'table' },
  defaultFigure: { view: 'features', type: 'table' },
  async run(model, p, ctx): Promise<SearchJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const position = p.position < 0 ? ids.length + p.position : p.position;
    const host = await openDictionary(model, ctx, p.dictionary, p.hook);
    ctx.plan(1);
    const features = await withDictionary(model, host, (dict) => featuresAt(model, dict, ids, position, p.top));
    return { prompt: tokenStrings(model, ids), position, features };
  },
  view(r) {
    return {
      kind: 'table',
      title: `features active at position ${r.position} (${JSON.stringify(r.prompt[r.position])})`,
      columns: ['feature', 'activation'],
      rows: r.features.map((f) => [f.feature, f.activation]),
    };
  },
});

const AttributionParams = z.strictObject({
  dictionary: DictionaryRef,
  hook: HookChoice,
  prompt: PromptRefSchema.default(0),
  position: PositionSchema.default(-1),
  answer: TokenRefSchema.optional().describe("Default: the model's top prediction at the position."),
  wrong: TokenRefSchema.optional().describe('With `wrong`, the metric is logit[answer] − logit[wrong].'),
  top: z.number().int().min(1).max(200).default(20),
});

type AttributionJson = {
  position: number;
  answer: { id: number; token: string };
  wrong: { id: number; token: string } | null;
  metric: number;
  total: number;
  bias: number;
  error: number;
  features: { feature: number; activation: number; contribution: number }[];
};

export const featureAttributionStep = defineMethod({
  method: 'feature-attribution',
  title: 'Feature logit attribution',
  description: "DLA split into a residual-writing dictionary's features (plus its bias and error term) at a position.",
  version: 1,
  params: AttributionParams,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { textViews: ['table'] },
  views: { features: 'series', table: 'table' },
  defaultFigure: { view: 'features', type: 'bar' },
  async run(model, p, ctx): Promise<AttributionJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const host = await openDictionary(model, ctx, p.dictionary, p.hook);
    const answer = p.answer === undefined ? undefined : resolveToken(model, p.answer, 'answer');
    const wrong = p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong');
    ctx.plan(1);
    const a = await withDictionary(model, host, (dict) => featureLogitAttribution(model, dict, ids, { pos: p.position, answer, wrong }));
    const tok = (id: number) => ({ id, token: tokenStrings(model, [id])[0] });
    return {
      position: a.pos,
      answer: tok(a.answer),
      wrong: a.wrong === null ? null : tok(a.wrong),
      metric: a.metric,
      total: a.total,
      bias: a.bias,
      error: a.error,
      features: a.features.slice(0, p.top),
    };
  },
  view(r, name) {
    const metric = r.wrong ? `logit ${JSON.stringify(r.answer.token)} − logit ${JSON.stringify(r.wrong.token)}` : `logit ${JSON.stringify(r.answer.token)}`;
    if (name === 'table') {
      return {
        kind: 'table',
        title: `direct contributions to ${metric} at position ${r.position} (component total ${r.total.toFixed(4)})`,
        columns: ['feature', 'activation', 'contribution'],
        rows: [...r.features.map((f) => [f.feature, f.activation, f.contribution] as const), ['b_dec', null, r.bias] as const, ['error', null, r.error] as const].map((row) => [...row]),
      };
    }
    return {
      kind: 'series',
      title: `direct contributions to ${metric} at position ${r.position}`,
      x: { title: 'feature', labels: [...r.features.map((f) => `f${f.feature}`), 'b_dec', 'error'] },
      yTitle: 'contribution',
      traces: [{ name: 'contribution', values: [...r.features.map((f) => f.contribution), r.bias, r.error] }],
    };
  },
});
