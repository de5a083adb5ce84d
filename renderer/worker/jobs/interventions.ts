/**
 * The session's standing interventions (analysis/hooks/standing.ts): set from the prompt
 * workspace's list, checked against the open model, with the activations they copy or average
 * computed once on the plain model from the prompts they name. Every job then gets the
 * intervened model from `session.requireModel()`.
 */
import { checkInterventions } from '../../../analysis/hooks/check-interventions.ts';
import { interventionSummary } from '../../../analysis/hooks/intervention-summary.ts';
import type { ActivationCache, NamedCaches } from '../../../analysis/hooks/interventions.ts';
import { run } from '../../../analysis/model/run.ts';
import { JobInputError } from '../errors.ts';
import type { HookPointsResult, SetInterventionsParams, SetInterventionsResult } from '../intervention-contracts.ts';
import type { JobContext } from '../job-context.ts';
import type { EngineSession } from '../session.ts';

export async function hookPointsJob(session: EngineSession): Promise<HookPointsResult> {
  return { points: session.requirePlainModel().hookPoints };
}

export async function setInterventions(session: EngineSession, params: SetInterventionsParams, ctx: JobContext): Promise<SetInterventionsResult> {
  const open = session.open;
  const model = session.requirePlainModel();
  const named = Object.entries(params.prompts).filter((e): e is [string, readonly number[]] => e[1] !== undefined);
  let interventions;
  try {
    interventions = checkInterventions(params.interventions, model.hookPoints, model.spec, named.map(([name]) => name));
  } catch (e) {
    throw new JobInputError(e instanceof Error ? e.message : String(e));
  }
  interventions.forEach((iv, i) => {
    // A mean over "this run's positions" would change with every sweep's window (standing.ts).
    if (iv.op === 'mean' && iv.reference === undefined) throw new JobInputError(`intervention ${i + 1}: "mean" needs a reference prompt here`);
  });
  const caches: NamedCaches = {};
  for (const [name, ids] of named) {
    const hooks = [...new Set(interventions.filter((iv) => iv.source === name || iv.reference === name).map((iv) => iv.hook))];
    if (hooks.length === 0) continue;
    const checked = session.requireIds(ids);
    caches[name] = (await run(model, { ids: checked }, { capture: hooks, logits: 'none' })).cache as ActivationCache;
    await ctx.checkpoint();
  }
  if (session.open !== open) throw new JobInputError('Another model was opened while the interventions were being set; set them again.');
  session.setStanding({ interventions, caches });
  return { applied: interventions, summary: interventionSummary(model.label, interventions) };
}
