/**
 * Autoregressive generation with a KV cache: one prefill pass over the prompt, then one token
 * per step. Hooks, captures and interventions are active in every pass; each pass's captures
 * are returned separately (step 0 is the prefill), since shapes differ between passes.
 */
import type { ActivationCache } from '../hooks/interventions.ts';
import type { HookOptions } from '../hooks/session.ts';
import { HookSession } from '../hooks/session.ts';
import { hookOptionsWithStanding } from '../hooks/standing.ts';
import type { KvState } from './forward.ts';
import { forward } from './forward.ts';
import type { Model } from './model.ts';
import type { ModelInput } from './run.ts';
import { tokenize } from './run.ts';
import type { SamplingOptions } from './sampling.ts';
import { sampleToken, seededRandom } from './sampling.ts';
import { tensorScope } from './scope.ts';
import { leftPad } from './tokens.ts';

export interface GenerateOptions extends HookOptions, SamplingOptions {
  readonly maxNewTokens: number;
  /** Generation stops after emitting any of these (default: the model's EOS ids). */
  readonly stopTokens?: readonly number[];
  readonly prependBos?: boolean;
}

export interface GenerateResult {
  readonly promptIds: number[];
  readonly newIds: number[];
  /** Decoded new tokens, or null without a tokenizer. */
  readonly text: string | null;
  readonly stopped: 'stop_token' | 'max_tokens' | 'context';
  /** Captures of each pass: [prefill, step 1, ...]. */
  readonly steps: ActivationCache[];
}

export async function generate(model: Model, input: ModelInput, options: GenerateOptions): Promise<GenerateResult> {
  const rows = tokenize(model, input, options.prependBos);
  if (rows.length !== 1) throw new Error('generate takes one prompt');
  const promptIds = rows[0];
  const stop = new Set(options.stopTokens ?? model.spec.eosTokenIds);
  const random = seededRandom(options.seed ?? 0);
  const scope = tensorScope(model.backend);
  const core = { ...model, backend: scope.backend };
  const steps: ActivationCache[] = [];
  const newIds: number[] = [];
  let stopped: GenerateResult['stopped'] = 'max_tokens';
  try {
    let past: KvState | undefined;
    let next = promptIds;
    while (newIds.length < options.maxNewTokens) {
      if (promptIds.length + newIds.length > model.spec.nCtx) {
        stopped = 'context';
        break;
      }
      const tokens = leftPad([next], past ? [past.nextPosition[0]] : []);
      const hooks = new HookSession(scope.backend, model.hookPoints, hookOptionsWithStanding(model, options));
      const out = await forward(core, { tokens, hooks, logits: 'last', past, keepKv: true, trimKv: true });
      const captured = hooks.capturedTensors();
      const names = [...captured.keys()];
      const tensors = names.map((n) => captured.get(n)!);
      const [logits, ...data] = await model.backend.read([out.logits!, ...tensors]);
      if (names.length > 0) steps.push(HookSession.toCache(names, tensors, data));
      past = out.kv!;
      // Release this pass's intermediates but keep the cache the next pass builds on.
      scope.release(past.layers.flatMap((l) => [l.k, l.v]));
      const id = sampleToken(logits, options, random);
      newIds.push(id);
      next = [id];
      if (stop.has(id)) {
        stopped = 'stop_token';
        break;
      }
    }
  } finally {
    scope.release();
  }
  return { promptIds, newIds, text: model.tokenizer ? model.tokenizer.decode(newIds) : null, stopped, steps };
}
