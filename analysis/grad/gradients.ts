/**
 * Gradients of a scalar metric of the logits with respect to any hook points.
 *
 * `grads[h]` = ∂metric/∂(value at hook h), shaped like the hook ([batch, …], see
 * analysis/hooks/points.ts for each hook's axes): what a TransformerLens backward hook on h
 * receives — the gradient with everything downstream of h live (softmax, norm scales, GELU/SiLU,
 * rotary all differentiated). With interventions, h's value is the one after its interventions,
 * and gradients further upstream flow through them (a `replace`d slice passes no gradient on).
 *
 * Example: gradients(model, {ids}, {metric: logitDiff(a, b), wrt: ['blocks.*.hook_resid_pre']}).
 */
import type { ActivationCache, Intervention, NamedCaches } from '../hooks/interventions.ts';
import { resolveHookPatterns } from '../hooks/glob.ts';
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { backward } from './backward.ts';
import type { Linearisation } from './linearisation.ts';
import { LIVE } from './linearisation.ts';
import type { DifferentiableMetric } from './metric.ts';
import { recordTape } from './tape.ts';
import type { Tape } from './tape.ts';

export interface GradientsOptions {
  readonly metric: DifferentiableMetric;
  /** Hook names or globs (`blocks.*.hook_resid_pre`); a pattern matching nothing is an error. */
  readonly wrt: readonly string[];
  readonly interventions?: readonly Intervention[];
  /** Caches named by the interventions' `source` / `reference`. */
  readonly caches?: NamedCaches;
  /** Also return the forward's values at the `wrt` hooks (after interventions). */
  readonly keepActivations?: boolean;
  readonly prependBos?: boolean;
}

export interface GradientsResult {
  /** Token ids per batch row (unpadded). */
  readonly ids: number[][];
  /** The metric on this run. */
  readonly value: number;
  /** ∂metric/∂hook value by hook name, each shaped like its hook (batch first). */
  readonly grads: ActivationCache;
  /** The hook values themselves (only with keepActivations). */
  readonly activations?: ActivationCache;
}

/** Seeds the backward pass with ∂metric/∂logits computed on the host; returns the metric value. */
export async function seedFromMetric(tape: Tape, metric: DifferentiableMetric) {
  const [logits] = await tape.backend.read([tape.logits]);
  const evaluation = metric.evaluate({ shape: [...tape.logits.shape], data: logits });
  return { value: evaluation.value, seed: tape.backend.upload(evaluation.grad, tape.logits.shape) };
}

/**
 * Gradients on an already recorded tape, with a given treatment of the nonlinearities (LIVE for
 * true gradients). Leaves the tape alive; the returned data are host copies.
 */
export async function gradientsOnTape(tape: Tape, metric: DifferentiableMetric, wrt: ReadonlySet<string>, lin: Linearisation = LIVE) {
  const { value, seed } = await seedFromMetric(tape, metric);
  const grads = backward({ tape, seed, wrt, lin });
  const missing = [...wrt].filter((h) => !grads.has(h));
  if (missing.length) throw new Error(`no gradient reaches ${missing.join(', ')} (frozen or not on the path to the logits)`);
  const names = [...grads.keys()];
  const tensors = names.map((n) => grads.get(n)!);
  const data = await tape.backend.read(tensors);
  const out: ActivationCache = {};
  names.forEach((n, i) => (out[n] = { shape: [...tensors[i].shape], data: data[i] }));
  return { value, grads: out };
}

export async function gradients(model: Model, input: ModelInput, options: GradientsOptions): Promise<GradientsResult> {
  const wrt = resolveHookPatterns(model.hookPoints.map((p) => p.name), options.wrt);
  const tape = await recordTape(model, input, {
    interventions: options.interventions,
    caches: options.caches,
    logits: options.metric.reads,
    perHeadResults: [...wrt].some((h) => h.endsWith('.attn.hook_result')),
    prependBos: options.prependBos,
  });
  try {
    const { value, grads } = await gradientsOnTape(tape, options.metric, wrt);
    let activations: ActivationCache | undefined;
    if (options.keepActivations) {
      const names = [...wrt];
      const data = await tape.backend.read(names.map((n) => tape.value(n)));
      activations = Object.fromEntries(names.map((n, i) => [n, { shape: [...tape.value(n).shape], data: data[i] }]));
    }
    return { ids: tape.ids, value, grads, ...(activations ? { activations } : {}) };
  } finally {
    tape.release();
  }
}
