/**
 * What the patching-style methods (activation, path and attribution patching) read from their
 * params the same way: the clean prompt, the corruption, the metric position (absolute) and the
 * metric's tokens with the shared defaults; and how many forward passes a sweep makes.
 */
import type { Corruption } from '../methods/corruption.ts';
import type { MetricTokens } from '../methods/metric-defaults.ts';
import type { PatchHook } from '../methods/patch-cells.ts';
import { patchGridOf } from '../methods/feature-patch-cells.ts';
import { defersTail, groupPasses, planGroups } from '../methods/patch-runs.ts';
import { defaultBatching } from '../methods/patching.ts';
import { resolvePosition } from '../methods/sequence.ts';
import type { Model } from '../model/model.ts';
import type { TokenJson, TokenRef } from './common.ts';
import { metricTokensOf, PositionSchema, PromptRefSchema, promptIds, tokenJson, TokenRefSchema } from './common.ts';
import type { MethodInputs, PromptRef } from './contract.ts';
import type { CorruptionParam } from './corruption.ts';
import { corruptionOf, CorruptionSchema } from './corruption.ts';

/** The params every patching-style method shares: the two runs and the metric (spread into its schema). */
export const PATCH_PARAMS = {
  clean: PromptRefSchema.default(0),
  corrupted: CorruptionSchema,
  answer: TokenRefSchema.optional().describe("Default: the model's top token on the clean prompt at the position."),
  wrong: TokenRefSchema.optional().describe('Default: the top token on the corrupted prompt, when it differs from the answer (else the metric is logit[answer]).'),
  position: PositionSchema.default(-1).describe('Position whose logits the metric reads; negative counts from the end (−1 = last).'),
};

export interface PatchSetup {
  readonly clean: number[];
  readonly corruption: Corruption;
  /** The corrupted prompt's ids (token corruption), for the metric's default wrong token. */
  readonly corruptedIds: readonly number[] | undefined;
  /** Absolute metric position. */
  readonly position: number;
  readonly metric: MetricTokens;
}

/** A method's whole plan, given before the metric's default tokens are read: `plan(n)` with n = those reads + `after(setup)`. */
export interface SetupPlan {
  plan(passes: number): void;
  /** The passes the method makes after the setup. */
  after(setup: Pick<PatchSetup, 'clean' | 'corruption' | 'position'>): number;
}

/** Passes the metric's default tokens cost (metric-defaults.ts): one run for the answer, one more for the wrong token on a corrupted prompt. */
function metricTokenPasses(p: { answer?: TokenRef; wrong?: TokenRef }, corruptedIds: readonly number[] | undefined): number {
  return (p.answer === undefined ? 1 : 0) + (p.wrong === undefined && corruptedIds ? 1 : 0);
}

export async function patchSetup(
  model: Model,
  ctx: MethodInputs,
  p: { clean: PromptRef; corrupted: CorruptionParam; position: number; answer?: TokenRef; wrong?: TokenRef },
  plan?: SetupPlan,
): Promise<PatchSetup> {
  const clean = promptIds(model, ctx, p.clean, 'clean');
  const corruption = corruptionOf(model, ctx, p.corrupted, 'corrupted');
  const corruptedIds = corruption.kind === 'tokens' ? corruption.ids : undefined;
  const position = resolvePosition(p.position, clean.length, 'params.position');
  // Planned before the default tokens are read, so the first report is already against the whole run.
  plan?.plan(metricTokenPasses(p, corruptedIds) + plan.after({ clean, corruption, position }));
  const metric = await metricTokensOf(model, p, clean, position, corruptedIds);
  return { clean, corruption, corruptedIds, position, metric };
}

/** The metric's tokens as results name them. */
export function metricJson(model: Model, metric: MetricTokens): { answer: TokenJson; wrong: TokenJson | null } {
  return { answer: tokenJson(model, metric.answer), wrong: metric.wrong === undefined ? null : tokenJson(model, metric.wrong) };
}

/** Passes a corruption costs before any run: reading the embedding for a noise σ not given (corruption.ts). */
export function corruptionPasses(corruption: Corruption): number {
  return corruption.kind === 'noise' && corruption.sigma === undefined ? 1 : 0;
}

/**
 * The forward passes (read-backs) an activation-patching sweep makes: the corruption's, the two
 * full runs, then one per patched cell (naive), or the reusing sweep's calls and tail chunks for
 * its groups (patch-runs.ts, with the batching activationPatching uses). Exact unless the reusing
 * sweep finds cells whose patch is a no-op (patch-skip.ts): those are known only after its two
 * full runs, when the sweep re-plans (`onPlanned`).
 */
export function sweepPasses(model: Model, setup: Pick<PatchSetup, 'clean' | 'corruption' | 'position'>, hook: PatchHook, byPosition: boolean, mode: 'reuse' | 'naive'): number {
  const length = setup.clean.length;
  const { cells } = patchGridOf(model, hook, byPosition, length);
  const before = corruptionPasses(setup.corruption) + 2;
  if (mode === 'naive') return before + cells.length;
  const { groups } = planGroups(cells, setup.position, defaultBatching(model, length));
  return before + groupPasses(groups, defersTail(model));
}
