/** Attention patterns of every layer and head for one prompt: one forward pass with captures. */
import { hook } from '../../../analysis/hooks/points.ts';
import { run } from '../../../analysis/model/run.ts';
import type { AttentionParams, AttentionResult } from '../contracts.ts';
import type { JobContext } from '../job-context.ts';
import { JobInputError } from '../errors.ts';
import type { EngineSession } from '../session.ts';

/** All layers' patterns come back at once; beyond this (128 MB) the tab would struggle. */
const MAX_PATTERN_FLOATS = 32 * 2 ** 20;

export async function attentionPatterns(session: EngineSession, params: AttentionParams, ctx: JobContext): Promise<AttentionResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  const { nLayers, nHeads } = model.spec;
  const floats = nLayers * nHeads * ids.length * ids.length;
  if (floats > MAX_PATTERN_FLOATS) {
    const fits = Math.floor(Math.sqrt(MAX_PATTERN_FLOATS / (nLayers * nHeads)));
    throw new JobInputError(`Every head's pattern for ${ids.length} tokens would take ${Math.round((floats * 4) / 2 ** 20)} MB; shorten the prompt to at most ${fits} tokens.`);
  }
  const out = await run(model, { ids }, {
    logits: 'none',
    capture: ['blocks.*.attn.hook_pattern'],
    callbacks: ctx.hookCheckpoints((layer) => ctx.progress(layer, nLayers, 'layers', 'forward pass')),
  });
  const pos = ids.length;
  const block = nHeads * pos * pos;
  const patterns = new Float32Array(nLayers * block);
  for (let l = 0; l < nLayers; l++) {
    // [batch=1, head, pos, kvPos] → slot l of [layer, head, pos, kvPos]
    patterns.set(out.cache[hook.pattern(l)].data.subarray(0, block), l * block);
  }
  ctx.progress(nLayers, nLayers, 'layers', 'forward pass');
  return { nLayers, nHeads, pos, patterns };
}
