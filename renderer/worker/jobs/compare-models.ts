/**
 * "Compare with another checkpoint" on the Model page: the prompt through the open model and a
 * second checkpoint of the same architecture (e.g. its Q8_0 GGUF), analysis/methods/compare-models.ts
 * on both. The second model is read on the open model's backend and freed afterwards; the open
 * model stays as it was.
 */
import { withStanding } from '../../../analysis/hooks/standing.ts';
import { compareModels } from '../../../analysis/methods/compare-models.ts';
import { loadGgufHostModel } from '../../../analysis/model/gguf-load.ts';
import type { HostModel } from '../../../analysis/model/load.ts';
import { loadHostModel } from '../../../analysis/model/load.ts';
import type { Model } from '../../../analysis/model/model.ts';
import { modelOnBackend } from '../../../analysis/model/model.ts';
import { mapWeights } from '../../../analysis/model/weights.ts';
import type { CompareModelsParams, CompareModelsResult } from '../contracts.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { EngineSession } from '../session.ts';
import { ggufFileOf, sourceFor } from './load-model.ts';

/** The spec fields that make two checkpoints one architecture (same hooks, same shapes). */
const ARCHITECTURE_FIELDS = ['modelType', 'nLayers', 'nHeads', 'nKvHeads', 'dModel', 'dHead', 'dMlp', 'dVocab'] as const;

/** Refuses a second checkpoint of another architecture or vocabulary, naming the first difference. */
function checkSameArchitecture(a: Model, b: Model): void {
  for (const field of ARCHITECTURE_FIELDS) {
    if (a.spec[field] !== b.spec[field]) {
      throw new JobInputError(`${b.label} is not a checkpoint of ${a.label}'s architecture: ${field} is ${String(b.spec[field])}, the open model's is ${String(a.spec[field])}.`);
    }
  }
  if (a.tokenizer === null || b.tokenizer === null) return;
  for (let id = 0; id < a.spec.dVocab; id++) {
    const [ta, tb] = [a.tokenizer.tokenString(id), b.tokenizer.tokenString(id)];
    if (ta !== tb) throw new JobInputError(`${b.label} has another vocabulary than ${a.label}: token ${id} is ${JSON.stringify(tb)}, the open model's is ${JSON.stringify(ta)}.`);
  }
}

async function readHost(params: CompareModelsParams, ctx: JobContext): Promise<HostModel & { label: string }> {
  const source = sourceFor(params.source);
  const gguf = ggufFileOf(params.source);
  ctx.progress(0, 1, 'passes', `reading ${source.label}`);
  const host = gguf !== null ? await loadGgufHostModel(source, gguf) : await loadHostModel(source, { onTensor: (name, index, total) => ctx.progress(index, total, 'tensors', `reading ${name} of ${source.label}`) });
  return { ...host, label: source.label };
}

export async function compareModelsJob(session: EngineSession, params: CompareModelsParams, ctx: JobContext): Promise<CompareModelsResult> {
  // Both checkpoints run with the workspace's interventions, so the comparison is like for like.
  const a = session.requireModel();
  const open = session.requirePlainModel();
  const ids = session.requireIds(params.ids);
  const host = await readHost(params, ctx);
  await ctx.checkpoint();
  // Opening another model meanwhile frees A's weights (EngineSession.replace): no result from freed weights.
  const checkStillOpen = () => {
    if (session.open?.model !== open) throw new JobInputError(`The open model changed while it was compared with ${host.label}; compare again.`);
  };
  checkStillOpen();
  const b = withStanding(modelOnBackend(host, a.backend), a.standing ?? null);
  try {
    checkSameArchitecture(a, b);
    ctx.progress(0, 1, 'passes', `running ${ids.length} tokens through both models`);
    const result = await compareModels(a, b, ids);
    checkStillOpen();
    ctx.progress(1, 1, 'passes', 'done');
    const tokenString = (id: number) => a.tokenizer?.tokenString(id) ?? String(id);
    const top1Tokens = result.positions.map((p) => ({ a: tokenString(p.top1A), b: tokenString(p.top1B) }));
    return { ...result, a: a.label, b: b.label, tokens: ids.map(tokenString), top1Tokens, interventions: a.standing?.interventions ?? [] };
  } finally {
    mapWeights(b.weights, (t) => a.backend.dispose(t));
  }
}
