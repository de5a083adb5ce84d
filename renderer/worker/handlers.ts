/** Job kind → handler, over one engine session. The compiler checks every kind has one. */
import type { JobHandlers } from './runner.ts';
import type { EngineSession } from './session.ts';
import { attentionPatterns } from './jobs/attention.ts';
import { loadModel } from './jobs/load-model.ts';
import { logitLens } from './jobs/logit-lens.ts';
import { generateText, nextToken, tokenize } from './jobs/tokens.ts';

export function createHandlers(session: EngineSession): JobHandlers {
  return {
    loadModel: (p, ctx) => loadModel(session, p, ctx),
    tokenize: (p) => tokenize(session, p),
    nextToken: (p, ctx) => nextToken(session, p, ctx),
    generate: (p, ctx) => generateText(session, p, ctx),
    attention: (p, ctx) => attentionPatterns(session, p, ctx),
    logitLens: (p, ctx) => logitLens(session, p, ctx),
  };
}
