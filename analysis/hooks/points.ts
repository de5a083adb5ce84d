/**
 * The hook-point catalogue: every activation's TransformerLens name with its axes, built from
 * the model spec once. Names never change per architecture; a point an architecture lacks
 * (hook_pos_embed for rotary models, hook_resid_mid for parallel blocks, mlp.hook_pre_linear for
 * ungated MLPs, hook_rot_q/k for learned positions) is simply absent.
 */
import type { ModelSpec } from '../model/spec.ts';
import { blockNorms } from '../model/spec.ts';

/** `projection`: a whole q or k projection (head·dHead or kvHead·dHead), OLMo-2's q/k norm width. */
export type Axis = 'batch' | 'pos' | 'kvPos' | 'dModel' | 'head' | 'kvHead' | 'dHead' | 'neuron' | 'one' | 'projection';

export interface HookPoint {
  readonly name: string;
  /** Axis names, batch first; the shape follows from the spec and the sequence lengths. */
  readonly axes: readonly Axis[];
  /** Layer index, or -1 for points outside the blocks (embeddings, final norm). */
  readonly layer: number;
}

const RESID: readonly Axis[] = ['batch', 'pos', 'dModel'];
const SCALE: readonly Axis[] = ['batch', 'pos', 'one'];

/** Typed builders, so code never assembles hook names by string concatenation. */
export const hook = {
  embed: 'hook_embed',
  posEmbed: 'hook_pos_embed',
  residPre: (l: number) => `blocks.${l}.hook_resid_pre`,
  residMid: (l: number) => `blocks.${l}.hook_resid_mid`,
  residPost: (l: number) => `blocks.${l}.hook_resid_post`,
  lnScale: (l: number, which: 1 | 2) => `blocks.${l}.ln${which}.hook_scale`,
  lnNormalized: (l: number, which: 1 | 2) => `blocks.${l}.ln${which}.hook_normalized`,
  /** Post-sublayer norms (Gemma, OLMo-2): ln1_post on the attention output, ln2_post on the MLP output. */
  lnPostScale: (l: number, which: 1 | 2) => `blocks.${l}.ln${which}_post.hook_scale`,
  lnPostNormalized: (l: number, which: 1 | 2) => `blocks.${l}.ln${which}_post.hook_normalized`,
  /** q/k norms (Qwen3, Gemma-3, OLMo-2) on the raw projections, before RoPE. */
  qkNormScale: (l: number, which: 'q' | 'k') => `blocks.${l}.attn.${which}_norm.hook_scale`,
  qkNormNormalized: (l: number, which: 'q' | 'k') => `blocks.${l}.attn.${which}_norm.hook_normalized`,
  q: (l: number) => `blocks.${l}.attn.hook_q`,
  k: (l: number) => `blocks.${l}.attn.hook_k`,
  v: (l: number) => `blocks.${l}.attn.hook_v`,
  rotQ: (l: number) => `blocks.${l}.attn.hook_rot_q`,
  rotK: (l: number) => `blocks.${l}.attn.hook_rot_k`,
  attnScores: (l: number) => `blocks.${l}.attn.hook_attn_scores`,
  pattern: (l: number) => `blocks.${l}.attn.hook_pattern`,
  z: (l: number) => `blocks.${l}.attn.hook_z`,
  result: (l: number) => `blocks.${l}.attn.hook_result`,
  attnOut: (l: number) => `blocks.${l}.hook_attn_out`,
  mlpPre: (l: number) => `blocks.${l}.mlp.hook_pre`,
  mlpPreLinear: (l: number) => `blocks.${l}.mlp.hook_pre_linear`,
  mlpPost: (l: number) => `blocks.${l}.mlp.hook_post`,
  mlpOut: (l: number) => `blocks.${l}.hook_mlp_out`,
  lnFinalScale: 'ln_final.hook_scale',
  lnFinalNormalized: 'ln_final.hook_normalized',
} as const;

/** All hook points of a model, in the order the forward pass reaches them. */
export function hookPoints(spec: ModelSpec): HookPoint[] {
  const points: HookPoint[] = [{ name: hook.embed, axes: RESID, layer: -1 }];
  if (spec.positional === 'learned') points.push({ name: hook.posEmbed, axes: RESID, layer: -1 });
  const rotary = spec.positional === 'rotary';
  const norms = blockNorms(spec);
  for (let l = 0; l < spec.nLayers; l++) {
    const p = (name: string, axes: readonly Axis[]) => points.push({ name, axes, layer: l });
    p(hook.residPre(l), RESID);
    if (norms !== 'post') {
      p(hook.lnScale(l, 1), SCALE);
      p(hook.lnNormalized(l, 1), RESID);
    }
    p(hook.q(l), ['batch', 'pos', 'head', 'dHead']);
    p(hook.k(l), ['batch', 'pos', 'kvHead', 'dHead']);
    p(hook.v(l), ['batch', 'pos', 'kvHead', 'dHead']);
    for (const [which, head] of [['q', 'head'], ['k', 'kvHead']] as const) {
      if (spec.qkNorm === 'head') {
        p(hook.qkNormScale(l, which), ['batch', 'pos', head, 'one']);
        p(hook.qkNormNormalized(l, which), ['batch', 'pos', head, 'dHead']);
      } else if (spec.qkNorm === 'projection') {
        p(hook.qkNormScale(l, which), SCALE);
        p(hook.qkNormNormalized(l, which), ['batch', 'pos', 'projection']);
      }
    }
    if (rotary) {
      p(hook.rotQ(l), ['batch', 'pos', 'head', 'dHead']);
      p(hook.rotK(l), ['batch', 'pos', 'kvHead', 'dHead']);
    }
    p(hook.attnScores(l), ['batch', 'head', 'pos', 'kvPos']);
    p(hook.pattern(l), ['batch', 'head', 'pos', 'kvPos']);
    p(hook.z(l), ['batch', 'pos', 'head', 'dHead']);
    p(hook.result(l), ['batch', 'pos', 'head', 'dModel']);
    if (norms !== 'pre') {
      p(hook.lnPostScale(l, 1), SCALE);
      p(hook.lnPostNormalized(l, 1), RESID);
    }
    p(hook.attnOut(l), RESID);
    if (!spec.parallelResidual) p(hook.residMid(l), RESID);
    if (norms !== 'post') {
      p(hook.lnScale(l, 2), SCALE);
      p(hook.lnNormalized(l, 2), RESID);
    }
    p(hook.mlpPre(l), ['batch', 'pos', 'neuron']);
    if (spec.gatedMlp) p(hook.mlpPreLinear(l), ['batch', 'pos', 'neuron']);
    p(hook.mlpPost(l), ['batch', 'pos', 'neuron']);
    if (norms !== 'pre') {
      p(hook.lnPostScale(l, 2), SCALE);
      p(hook.lnPostNormalized(l, 2), RESID);
    }
    p(hook.mlpOut(l), RESID);
    p(hook.residPost(l), RESID);
  }
  points.push({ name: hook.lnFinalScale, axes: SCALE, layer: -1 });
  points.push({ name: hook.lnFinalNormalized, axes: RESID, layer: -1 });
  return points;
}
