/**
 * Compare two checkpoints of one architecture (e.g. the BF16 and the Q4_0 file of a model) on
 * the same tokens: how far apart their next-token distributions are at every position, and how
 * far apart their residual streams are after every block — where quantisation moves the model.
 *
 * Per position p: max_v |z_A − z_B| (logits), KL(P_A ‖ P_B) of the softmaxes (float64), and
 * whether the argmax agrees. Per layer l: the relative residual difference
 * ‖r_A − r_B‖ / ‖r_A‖ of blocks.l.hook_resid_post, per position and its mean.
 */
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';

export interface ModelComparison {
  readonly ids: number[];
  readonly positions: { readonly maxAbsLogitDiff: number; readonly kl: number; readonly top1A: number; readonly top1B: number }[];
  /** [layer][position] relative residual difference, and its mean over positions per layer. */
  readonly residRelDiff: number[][];
  readonly residRelDiffMean: number[];
  readonly summary: { readonly maxAbsLogitDiff: number; readonly meanKl: number; readonly top1Agreement: number };
}

/** The dimensions two models must share to be compared position by position and layer by layer. */
function checkComparable(a: Model, b: Model): void {
  const keys = ['nLayers', 'dModel', 'dVocab'] as const;
  for (const k of keys) {
    if (a.spec[k] !== b.spec[k]) {
      throw new Error(`compare: ${a.label} and ${b.label} differ in ${k} (${a.spec[k]} vs ${b.spec[k]}); compare checkpoints of one architecture`);
    }
  }
}

function logSoftmax(z: ArrayLike<number>, from: number, n: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, z[from + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(z[from + i] - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = z[from + i] - lse;
  return out;
}

function argmax(z: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (z[from + i] > z[from + best]) best = i;
  return best;
}

export async function compareModels(a: Model, b: Model, ids: readonly number[]): Promise<ModelComparison> {
  checkComparable(a, b);
  const { nLayers, dModel: d, dVocab: V } = a.spec;
  const capture = Array.from({ length: nLayers }, (_, l) => hook.residPost(l));
  const [ra, rb] = [await run(a, { ids }, { capture }), await run(b, { ids }, { capture })];
  const za = ra.logits!.data;
  const zb = rb.logits!.data;
  const S = ids.length;
  const positions = Array.from({ length: S }, (_, p) => {
    const la = logSoftmax(za, p * V, V);
    const lb = logSoftmax(zb, p * V, V);
    let kl = 0;
    let maxAbs = 0;
    for (let i = 0; i < V; i++) {
      kl += Math.exp(la[i]) * (la[i] - lb[i]);
      maxAbs = Math.max(maxAbs, Math.abs(za[p * V + i] - zb[p * V + i]));
    }
    return { maxAbsLogitDiff: maxAbs, kl, top1A: argmax(za, p * V, V), top1B: argmax(zb, p * V, V) };
  });
  const residRelDiff = capture.map((name) => {
    const xa = ra.cache[name].data;
    const xb = rb.cache[name].data;
    return Array.from({ length: S }, (_, p) => {
      let diff = 0;
      let norm = 0;
      for (let i = p * d; i < (p + 1) * d; i++) {
        diff += (xa[i] - xb[i]) ** 2;
        norm += xa[i] ** 2;
      }
      return norm === 0 ? 0 : Math.sqrt(diff / norm);
    });
  });
  return {
    ids: [...ids],
    positions,
    residRelDiff,
    residRelDiffMean: residRelDiff.map((row) => row.reduce((s, v) => s + v, 0) / S),
    summary: {
      maxAbsLogitDiff: Math.max(...positions.map((p) => p.maxAbsLogitDiff)),
      meanKl: positions.reduce((s, p) => s + p.kl, 0) / S,
      top1Agreement: positions.filter((p) => p.top1A === p.top1B).length / S,
    },
  };
}
