/**
 * Retrieval-head scores on a needle-in-a-haystack set built with the shipped filler text
 * (analysis/methods/niah.ts, retrieval.ts). Progress counts samples: each sample's prefill is
 * the pass that starts at position 0.
 */
import { buildNiahSamples, loadHaystack, NEEDLE_CHOICES } from '../../../analysis/methods/niah.ts';
import { retrievalScores } from '../../../analysis/methods/retrieval.ts';
import { hook } from '../../../analysis/hooks/points.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { RetrievalJobResult, RetrievalParams } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';

export async function retrievalJob(session: EngineSession, params: RetrievalParams, ctx: JobContext): Promise<RetrievalJobResult> {
  const model = session.requireModel();
  if (!model.tokenizer) throw new JobInputError('Needle-in-a-haystack prompts need a tokenizer; this model has none.');
  const needles = params.needles.map((i) => NEEDLE_CHOICES[i]).filter((n) => n !== undefined);
  if (needles.length === 0) throw new JobInputError('Choose at least one needle.');
  const tooLong = params.contextLengths.find((c) => c + 40 > model.spec.nCtx);
  if (tooLong !== undefined) throw new JobInputError(`Context length ${tooLong} leaves no room for the question within the model's ${model.spec.nCtx} tokens.`);
  const depths = [...params.depths];
  const outside = depths.find((d) => !(d >= 0 && d <= 100));
  if (depths.length === 0 || outside !== undefined) throw new JobInputError(`Depths are percentages from 0 to 100${outside === undefined ? '' : `; ${outside} is not`}.`);
  ctx.progress(0, 1, 'samples', 'building prompts');
  const samples = buildNiahSamples(model.tokenizer, { haystack: await loadHaystack(), needles, contextLengths: params.contextLengths, depths });
  let started = 0;
  const result = await retrievalScores(model, {
    samples,
    maxNewTokens: params.maxNewTokens,
    threshold: params.threshold,
    hookOptions: {
      callbacks: [
        {
          hook: hook.embed,
          fn: async (_x, at) => {
            if (at.site.posOffset === 0) ctx.progress(started++, samples.length, 'samples', 'decoding with attention tracking');
            await ctx.checkpoint();
          },
        },
      ],
    },
  });
  ctx.progress(samples.length, samples.length, 'samples', 'decoding with attention tracking');
  const settings = samples.map((s) => ({ needle: NEEDLE_CHOICES.indexOf(s.needle), contextLength: s.contextLength, depth: s.depth }));
  return { ...result, settings, threshold: params.threshold };
}
