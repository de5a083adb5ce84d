/**
 * Logit lens job: analysis/methods/logit-lens.ts over the open model, flattened into typed
 * arrays for the figure. "Next input token" targets are passed to the method as the set of
 * distinct next tokens; each position then keeps its own.
 */
import { logitLens as lens } from '../../../analysis/methods/logit-lens.ts';
import type { LogitLensParams, LogitLensResult } from '../contracts.ts';
import type { JobContext } from '../job-context.ts';
import type { EngineSession } from '../session.ts';

export async function logitLens(session: EngineSession, params: LogitLensParams, ctx: JobContext): Promise<LogitLensResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  const topK = Math.max(1, Math.min(params.topK, 20, model.spec.dVocab));
  const pos = ids.length;
  const targetAt = (p: number) => (params.target.kind === 'token' ? params.target.id : p + 1 < pos ? ids[p + 1] : -1);
  const targets = [...new Set(ids.map((_, p) => targetAt(p)).filter((t) => t >= 0))];
  ctx.progress(0, 1, 'passes', 'decoding the residual stream');
  const result = await lens(ctx.watch(model), { ids }, { topK, targets });

  const rows = result.entries.length;
  const topIds = new Int32Array(rows * pos * topK);
  const topProbs = new Float32Array(rows * pos * topK);
  const targetIds = new Int32Array(rows * pos).fill(-1);
  const targetRanks = new Float32Array(rows * pos).fill(NaN);
  const targetProbs = new Float32Array(rows * pos).fill(NaN);
  const vocab: Record<number, string> = {};
  const name = (id: number, token: string | null) => (vocab[id] ??= token ?? `#${id}`);
  result.entries.forEach((entry, r) => {
    entry.readings.forEach((reading, i) => {
      const cell = r * pos + reading.pos;
      reading.top.forEach((t, k) => {
        topIds[cell * topK + k] = t.id;
        topProbs[cell * topK + k] = t.prob;
        name(t.id, t.token);
      });
      const want = targetAt(result.positions[i]);
      const score = reading.targets.find((t) => t.id === want);
      if (score) {
        targetIds[cell] = score.id;
        targetRanks[cell] = score.rank;
        targetProbs[cell] = score.prob;
        name(score.id, score.token);
      }
    });
  });
  const rowLabels = result.entries.map((e) => (e.layer < model.spec.nLayers ? `L${e.layer} resid_pre` : 'final'));
  return { rowLabels, pos, topK, topIds, topProbs, targetIds, targetRanks, targetProbs, vocab };
}
