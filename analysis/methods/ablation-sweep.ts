/**
 * Per-head ablation sweep (METHODS.md "Head ablation"): every head of every layer ablated alone
 * (zero / mean / resample / uniform, see ablation.ts), reported as [layer, head] grids of the
 * metric, the loss and KL(clean ‖ ablated) at the chosen position — beside each head's direct
 * logit attribution, so self-repair is visible:
 *
 *   totalEffect[l][h]  = metric(ablated) − metric(clean)
 *   directEffect[l][h] = (z_ablated − z_clean)[pos, h] W_O^h · w, the change through the head's
 *                        direct path alone with ln_final frozen (w: readout.ts); for zero
 *                        ablation this is −dla[l][h]
 *   selfRepair[l][h]   = totalEffect − directEffect: how much the rest of the network (later
 *                        layers, the norm's scale) changed the outcome in response
 *
 * Heads are batched: one forward pass ablates a different head in each batch row (interventions
 * restricted by `batch`), which gives the numbers of separate runs at a fraction of the cost.
 * Grid axis order: [layer][head].
 */
import type { Intervention } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { run } from '../model/run.ts';
import type { AblationMode, AblationReadoutOptions, AblationSourceOptions, HeadRef } from './ablation.ts';
import { ablationCaches, checkTarget, headAblation } from './ablation.ts';
import type { LogitTarget } from './readout.ts';
import { dot, frozenReadout, headWriteProjections, metricOf } from './readout.ts';
import { oneSequence, resolvePosition, rowAt } from './sequence.ts';
import { extremeIds, klDivergence } from './token-scores.ts';

export interface AblationSweepOptions extends AblationSourceOptions, AblationReadoutOptions {
  /** Heads ablated per forward pass (default: as many as keep the logits under ~128 MB). */
  readonly batchSize?: number;
  /** Layers to sweep (default all). */
  readonly layers?: readonly number[];
}

export interface AblationSweepResult {
  readonly ids: number[];
  readonly pos: number;
  readonly mode: AblationMode;
  readonly answer: number;
  readonly wrong: number | null;
  /** Layers swept: axis 0 of every grid. */
  readonly layers: number[];
  readonly clean: { readonly metric: number; readonly loss: number | null };
  /** [layer][head] ablated metric at pos. */
  readonly metric: number[][];
  /** [layer][head] ablated loss over the sequence. */
  readonly loss: number[][];
  /** [layer][head] KL(clean ‖ ablated) at pos. */
  readonly kl: number[][];
  /** [layer][head] the head's DLA on the clean run (centred for LayerNorm). */
  readonly dla: number[][];
  /** [layer][head] metric − clean metric. */
  readonly totalEffect: number[][];
  /** [layer][head] the ablation's effect through the head's direct path alone. */
  readonly directEffect: number[][];
  /** [layer][head] totalEffect − directEffect. */
  readonly selfRepair: number[][];
}

const LOGIT_FLOATS_PER_PASS = 1 << 25;

/** Heads one forward pass ablates for a prompt of `length` tokens: `batchSize`, or as many as keep the logits under ~128 MB. */
export function ablationBatch(length: number, dVocab: number, batchSize?: number): number {
  return Math.max(1, batchSize ?? Math.floor(LOGIT_FLOATS_PER_PASS / (length * dVocab)));
}

export async function headAblationSweep(model: Model, input: ModelInput, options: AblationSweepOptions): Promise<AblationSweepResult> {
  const { nLayers, nHeads: H, dHead: dh, dVocab: V } = model.spec;
  const ids = oneSequence(model, input, options.prependBos, 'ablation sweep input');
  const S = ids.length;
  const pos = resolvePosition(options.pos, S, 'ablation sweep position');
  const layers = [...(options.layers ?? Array.from({ length: nLayers }, (_, l) => l))];
  for (const l of layers) if (!Number.isInteger(l) || l < 0 || l >= nLayers) throw new Error(`ablation sweep: layer ${l} is outside [0, ${nLayers})`);
  const zHooks = layers.map((l) => hook.z(l));

  const clean = await run(model, { ids }, { capture: [...zHooks, hook.lnFinalScale] });
  const cleanLogits = rowAt(clean.logits!.data, pos, V).slice();
  const target: LogitTarget = { answer: options.answer ?? extremeIds(cleanLogits, 1)[0], wrong: options.wrong };
  checkTarget(model, target);
  const cleanMetric = metricOf(cleanLogits, target);
  const readout = await frozenReadout(model, target, clean.cache[hook.lnFinalScale].data[pos], true);
  const projections = await Promise.all(layers.map((l) => headWriteProjections(model, l, readout.direction)));
  /** Head h's direct contribution for a z row [head·dHead] of layer index li. */
  const direct = (li: number, z: Float32Array, h: number) => dot(z.subarray(h * dh, (h + 1) * dh), projections[li].subarray(h * dh, (h + 1) * dh));
  const zAt = (data: Float32Array, row: number) => data.subarray((row * S + pos) * H * dh, (row * S + pos + 1) * H * dh);

  const caches = await ablationCaches(model, ids, layers, options);
  const all: { li: number; head: HeadRef }[] = layers.flatMap((layer, li) => Array.from({ length: H }, (_, head) => ({ li, head: { layer, head } })));
  const batch = ablationBatch(S, V, options.batchSize);
  const grid = () => layers.map(() => new Array<number>(H).fill(NaN));
  const out = { metric: grid(), loss: grid(), kl: grid(), dla: grid(), totalEffect: grid(), directEffect: grid(), selfRepair: grid() };
  layers.forEach((_, li) => {
    const z = zAt(clean.cache[zHooks[li]].data, 0);
    for (let h = 0; h < H; h++) out.dla[li][h] = direct(li, z, h);
  });

  for (let start = 0; start < all.length; start += batch) {
    const part = all.slice(start, start + batch);
    const interventions: Intervention[] = part.map((p, row) => headAblation(p.head, options.mode, { row, withReference: options.reference !== undefined }));
    const r = await run(model, { ids: part.map(() => ids) }, { interventions, caches, capture: [...new Set(part.map((p) => zHooks[p.li]))] });
    part.forEach(({ li, head }, row) => {
      const h = head.head;
      const logits = rowAt(r.logits!.data, row * S + pos, V);
      const metric = metricOf(logits, target);
      out.metric[li][h] = metric;
      out.loss[li][h] = r.lossPerRow![row];
      out.kl[li][h] = klDivergence(cleanLogits, logits);
      out.totalEffect[li][h] = metric - cleanMetric;
      out.directEffect[li][h] = direct(li, zAt(r.cache[zHooks[li]].data, row), h) - out.dla[li][h];
      out.selfRepair[li][h] = out.totalEffect[li][h] - out.directEffect[li][h];
    });
  }
  return {
    ids,
    pos,
    mode: options.mode,
    answer: target.answer,
    wrong: target.wrong ?? null,
    layers,
    clean: { metric: cleanMetric, loss: clean.loss },
    ...out,
  };
}
