/**
 * Acceptance for the methods: the goldens (a)–(d) of every fixture's reference.json
 * (definitions in shared/fixtures/README.md, "methods") within 1e-4.
 *   (a) logit lens on blocks.l.hook_resid_post (readFrom 'resid_post'): top-5 ids and log-probs
 *   (b) zero and (c) mean ablation of head 1.2: last-position logits (gpt2-tiny: the stored
 *       summaries of the 50257-wide vector) and loss
 *   (d) DLA of the clean argmax at the last position, centred and (LayerNorm) uncentred
 */
import { describe, expect, it } from 'vitest';
import type { AblationMode } from '../analysis/methods/ablation.ts';
import { ablateHeads } from '../analysis/methods/ablation.ts';
import { directLogitAttribution } from '../analysis/methods/dla.ts';
import { logitLens } from '../analysis/methods/logit-lens.ts';
import { extremeIds } from '../analysis/methods/token-scores.ts';
import { hook } from '../analysis/hooks/points.ts';
import { logSumExp } from '../analysis/model/loss.ts';
import { run } from '../analysis/model/run.ts';
import { loadFixtureModel } from './fixture-model.ts';
import type { FixtureModel } from './reference.ts';
import { FIXTURE_MODELS, loadReference, worstMismatch } from './reference.ts';

interface LensGolden {
  readonly layer: number;
  readonly top5_ids: number[];
  readonly top5_logprobs: number[];
}
/** gpt2-tiny stores a 50257-wide logits vector as these summaries. */
interface VectorSummary {
  readonly top10_ids: number[];
  readonly top10_values: number[];
  readonly sum: number;
  readonly sum_sq: number;
  readonly logsumexp: number;
  readonly probe_ids: number[];
  readonly probe_values: number[];
}
interface AblationGolden {
  readonly layer: number;
  readonly head: number;
  readonly mean_z?: number[];
  readonly logits_last: number[] | VectorSummary;
  readonly loss: number;
}
interface DlaTerms {
  readonly embed: number;
  readonly pos_embed?: number;
  readonly heads: number[][];
  readonly attn_bias: number[];
  readonly mlp: number[];
}
interface DlaGolden extends DlaTerms {
  readonly target_token: number;
  readonly target_logit: number;
  readonly ln_final_scale: number;
  readonly centred: boolean;
  readonly ln_final_bias: number;
  readonly uncentred?: DlaTerms & { readonly mean_term: number };
  /** Gemma-2: the components sum to the logit before the final softcap. */
  readonly target_logit_pre_softcap?: number;
}
interface MethodGoldens {
  readonly position: number;
  readonly logit_lens: LensGolden[];
  readonly zero_ablation: AblationGolden;
  readonly mean_ablation: AblationGolden;
  readonly dla: DlaGolden;
}

const TOL = 1e-4;

function expectVector(got: Float32Array, expected: number[] | VectorSummary, what: string): void {
  if (Array.isArray(expected)) {
    expect(worstMismatch(got, expected), what).toBeNull();
    return;
  }
  expect(extremeIds(got, 10), `${what} top-10 ids`).toEqual(expected.top10_ids);
  expect(worstMismatch(expected.top10_ids.map((id) => got[id]), expected.top10_values), `${what} top-10 values`).toBeNull();
  expect(worstMismatch(expected.probe_ids.map((id) => got[id]), expected.probe_values), `${what} probes`).toBeNull();
  let sum = 0;
  let sumSq = 0;
  for (const v of got) {
    sum += v;
    sumSq += v * v;
  }
  expect(worstMismatch([sum, sumSq, logSumExp(got)], [expected.sum, expected.sum_sq, expected.logsumexp]), `${what} sum, sum_sq, logsumexp`).toBeNull();
}

function termsOf(r: Awaited<ReturnType<typeof directLogitAttribution>>): Map<string, number> {
  return new Map(r.components.map((c) => [c.name, c.value]));
}

function expectTerms(got: Map<string, number>, g: DlaTerms, what: string): void {
  const pairs: [string, number][] = [['embed', g.embed]];
  if (g.pos_embed !== undefined) pairs.push(['pos_embed', g.pos_embed]);
  g.heads.forEach((row, l) => row.forEach((v, h) => pairs.push([`L${l}H${h}`, v])));
  g.attn_bias.forEach((v, l) => pairs.push([`L${l}.attn_bias`, v]));
  g.mlp.forEach((v, l) => pairs.push([`L${l}.mlp`, v]));
  for (const [name, v] of pairs) {
    expect(got.has(name), `${what}: component ${name}`).toBe(true);
    expect(Math.abs(got.get(name)! - v), `${what}: ${name}`).toBeLessThanOrEqual(TOL);
  }
}

describe.each(FIXTURE_MODELS)('method goldens %s', (name: FixtureModel) => {
  const ref = loadReference(name);
  const golden = ref.methods as unknown as MethodGoldens;
  const ids = ref.inputs[0].input_ids;

  it('(a) logit lens on resid_post: top-5 ids and log-probs at the last position', async () => {
    const model = await loadFixtureModel(name);
    const lens = await logitLens(model, { ids }, { readFrom: 'resid_post', positions: [golden.position], topK: 5 });
    expect(lens.entries.map((e) => e.layer)).toEqual(golden.logit_lens.map((g) => g.layer));
    golden.logit_lens.forEach((g, l) => {
      const top = lens.entries[l].readings[0].top;
      expect(top.map((t) => t.id), `layer ${l}`).toEqual(g.top5_ids);
      expect(worstMismatch(top.map((t) => t.logprob), g.top5_logprobs, TOL, 0), `layer ${l}`).toBeNull();
    });
    // The default (resid_pre) lens ends on the same final residual.
    const pre = await logitLens(model, { ids }, { positions: [-1], topK: 5 });
    expect(pre.entries).toHaveLength(ref.n_layers + 1);
    expect(pre.entries[ref.n_layers].readings[0].top.map((t) => t.id)).toEqual(golden.logit_lens[ref.n_layers - 1].top5_ids);
  });

  it.each<[AblationMode, 'zero_ablation' | 'mean_ablation']>([
    ['zero', 'zero_ablation'],
    ['mean', 'mean_ablation'],
  ])('(b/c) %s ablation of head 1.2: last-position logits and loss', async (mode, key) => {
    const model = await loadFixtureModel(name);
    const g = golden[key];
    const r = await ablateHeads(model, { ids }, { heads: [{ layer: g.layer, head: g.head }], mode });
    expectVector(r.logits, g.logits_last, `${key} logits_last`);
    expect(Math.abs(r.loss! - g.loss)).toBeLessThanOrEqual(TOL);
    if (g.mean_z) {
      // The value put in at every position is the stored mean_z.
      const z = (await run(model, { ids }, { capture: [hook.z(g.layer)], interventions: r.interventions, logits: 'none' })).cache[hook.z(g.layer)];
      const [, , H, dh] = z.shape;
      for (const p of [0, ids.length - 1]) {
        expect(worstMismatch(z.data.subarray((p * H + g.head) * dh, (p * H + g.head + 1) * dh), g.mean_z), `mean_z at ${p}`).toBeNull();
      }
    }
  });

  it('(d) DLA of the clean argmax: every component, and the sum identity', async () => {
    const model = await loadFixtureModel(name);
    const g = golden.dla;
    const r = await directLogitAttribution(model, { ids });
    expect(r.answer).toBe(g.target_token);
    expect(r.centred).toBe(g.centred);
    expect(Math.abs(r.metric - g.target_logit)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(r.scale - g.ln_final_scale)).toBeLessThanOrEqual(TOL * (1 + g.ln_final_scale));
    const terms = termsOf(r);
    expectTerms(terms, g, 'centred');
    expect(Math.abs(terms.get('ln_final.bias')! - g.ln_final_bias)).toBeLessThanOrEqual(TOL);
    const summed = g.target_logit_pre_softcap ?? g.target_logit;
    expect(r.metricBeforeSoftcap === null ? null : Math.abs(r.metricBeforeSoftcap - summed) <= TOL).toBe(g.target_logit_pre_softcap === undefined ? null : true);
    expect(Math.abs(r.total + r.unembedBias - summed)).toBeLessThanOrEqual(TOL);
    if (g.uncentred) {
      const u = await directLogitAttribution(model, { ids }, { centred: false });
      const uTerms = termsOf(u);
      expectTerms(uTerms, g.uncentred, 'uncentred');
      expect(Math.abs(uTerms.get('ln_final.mean_term')! - g.uncentred.mean_term)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(u.total + u.unembedBias - u.metric)).toBeLessThanOrEqual(TOL);
    }
  });
});
