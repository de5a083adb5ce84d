/** Tokenising, next-token prediction and generation on the open model. */
import { generate } from '../../../analysis/model/generate.ts';
import type { Model } from '../../../analysis/model/model.ts';
import { run } from '../../../analysis/model/run.ts';
import { resolveTokenInput } from '../../../analysis/methods/token-input.ts';
import type {
  GenerateParams,
  GenerateResult,
  NextTokenParams,
  NextTokenResult,
  ResolveTokenParams,
  ResolveTokenResult,
  TokenInfo,
  TokenizeParams,
  TokenizeResult,
} from '../contracts.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { EngineSession } from '../session.ts';
import { softmaxTopK } from './top-k.ts';

export function tokenInfo(model: Model, id: number): TokenInfo {
  const { bosTokenId, eosTokenIds } = model.spec;
  return {
    id,
    text: model.tokenizer ? model.tokenizer.tokenString(id) : `#${id}`,
    special: id === bosTokenId || eosTokenIds.includes(id),
  };
}

export async function tokenize(session: EngineSession, params: TokenizeParams): Promise<TokenizeResult> {
  const model = session.requireModel();
  if (!model.tokenizer) throw new JobInputError(`${model.label} has no tokenizer.json; it takes token ids only.`);
  const ids = model.tokenizer.encode(params.text, { prependBos: params.prependBos });
  return { tokens: ids.map((id) => tokenInfo(model, id)) };
}

/** One token from typed input, or the reason it is not exactly one token. */
export async function resolveToken(session: EngineSession, params: ResolveTokenParams): Promise<ResolveTokenResult> {
  const model = session.requireModel();
  return resolveTokenInput(params.input, { vocabSize: model.spec.dVocab, tokenizer: model.tokenizer });
}

export async function nextToken(session: EngineSession, params: NextTokenParams, ctx: JobContext): Promise<NextTokenResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  const out = await run(model, { ids }, { logits: 'last', callbacks: ctx.hookCheckpoints() });
  const { top, entropy } = softmaxTopK(out.logits!.data, Math.max(1, Math.min(params.topK, model.spec.dVocab)));
  return { candidates: top.map((t) => ({ ...tokenInfo(model, t.id), prob: t.prob, logit: t.logit })), entropy };
}

export async function generateText(session: EngineSession, params: GenerateParams, ctx: JobContext): Promise<GenerateResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  if (!Number.isInteger(params.maxNewTokens) || params.maxNewTokens < 1) throw new JobInputError('Max tokens must be at least 1.');
  const total = Math.min(params.maxNewTokens, model.spec.nCtx - ids.length);
  if (total < 1) throw new JobInputError('The prompt already fills the context; there is no room to generate.');
  let passes = 0;
  const result = await generate(model, { ids }, {
    maxNewTokens: params.maxNewTokens,
    temperature: params.temperature,
    topK: params.topK > 0 ? params.topK : undefined,
    topP: params.topP < 1 ? params.topP : undefined,
    seed: params.seed,
    // hook_embed runs once per pass (the prefill, then one per new token): a step boundary.
    callbacks: [
      {
        hook: 'hook_embed',
        fn: async () => {
          ctx.progress(passes, total, 'tokens', 'generating');
          passes++;
          await ctx.checkpoint();
        },
      },
    ],
  });
  ctx.progress(result.newIds.length, total, 'tokens', 'generating');
  return { newTokens: result.newIds.map((id) => tokenInfo(model, id)), text: result.text, stopped: result.stopped, interventions: model.standing?.interventions ?? [] };
}
