/**
 * The tape of a forward pass: the value at every hook point (after interventions, exactly what
 * the next op consumed), kept on the backend for the backward pass and the linearised passes.
 * The forward is the engine's own (`forward`), so gradients are of the very computation that
 * `run` performs; nothing is re-implemented here.
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';
import type { HookSite, Intervention, NamedCaches } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import { HookSession } from '../hooks/session.ts';
import { hookOptionsWithStanding } from '../hooks/standing.ts';
import type { ForwardContext } from '../model/context.ts';
import { forward, forwardContext } from '../model/forward.ts';
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { tokenize } from '../model/run.ts';
import { tensorScope } from '../model/scope.ts';
import type { TokenBatch } from '../model/tokens.ts';
import { leftPad } from '../model/tokens.ts';

export interface TapeOptions {
  readonly interventions?: readonly Intervention[];
  readonly caches?: NamedCaches;
  /** Unembed only the last position ('last') or all of them ('all'). */
  readonly logits: 'last' | 'all';
  /**
   * Record blocks.*.attn.hook_result (per-head outputs). The forward then sums per-head results
   * instead of one W_O matmul: same math, larger tensors, so only when someone asks.
   */
  readonly perHeadResults?: boolean;
  readonly prependBos?: boolean;
}

export interface Tape {
  readonly model: Model;
  /** The scoped backend all tape tensors (and whatever is computed from them) live on. */
  readonly backend: Backend;
  readonly ids: number[][];
  readonly tokens: TokenBatch;
  /** Hook values after interventions, by hook name. */
  readonly values: ReadonlyMap<string, Tensor>;
  /** [batch, 1 or pos, vocab] */
  readonly logits: Tensor;
  readonly logitsMode: 'last' | 'all';
  /** Interventions by the hook where they act (`uniform` on a pattern acts on the scores). */
  readonly interventions: ReadonlyMap<string, readonly Intervention[]>;
  readonly caches?: NamedCaches;
  /** Where each hook's tensor sits (needed to rebuild an intervention's selection mask). */
  site(name: string): HookSite;
  /** A recorded hook value; throws naming the hook when it was not recorded. */
  value(name: string): Tensor;
  /** Releases every tensor made on `backend` except `keep`. */
  release(keep?: Iterable<Tensor>): void;
}

/** Same rule as HookSession: `uniform` stated on the pattern acts before the softmax. */
function actingHook(iv: Intervention): string {
  return iv.op === 'uniform' ? iv.hook.replace(/hook_pattern$/, 'hook_attn_scores') : iv.hook;
}

export async function recordTape(model: Model, input: ModelInput, runOptions: TapeOptions): Promise<Tape> {
  const options = hookOptionsWithStanding(model, runOptions);
  const ids = tokenize(model, input, options.prependBos);
  const tokens = leftPad(ids);
  const scope = tensorScope(model.backend);
  const interventions = new Map<string, Intervention[]>();
  for (const iv of options.interventions ?? []) {
    const at = actingHook(iv);
    interventions.set(at, [...(interventions.get(at) ?? []), iv]);
  }
  const wantsResult = (name: string) => options.perHeadResults === true || interventions.has(name);
  const capture = model.hookPoints.map((p) => p.name).filter((n) => !/\.attn\.hook_result$/.test(n) || wantsResult(n));
  try {
    const hooks = new HookSession(scope.backend, model.hookPoints, {
      capture,
      interventions: options.interventions,
      caches: options.caches,
      dictionaries: model.dictionaries,
      crossLayerTranscoder: model.crossLayerTranscoder,
    });
    const core = { ...model, backend: scope.backend };
    const out = await forward(core, { tokens, hooks, logits: options.logits });
    const ctx: ForwardContext = forwardContext(core, tokens, hooks);
    const values = hooks.capturedTensors();
    const points = new Map(model.hookPoints.map((p) => [p.name, p]));
    return {
      model,
      backend: scope.backend,
      ids,
      tokens,
      values,
      logits: out.logits!,
      logitsMode: options.logits,
      interventions,
      caches: options.caches,
      site(name) {
        const point = points.get(name);
        if (!point) throw new Error(`hook ${name} is not a hook point of ${model.label}`);
        const attention = name === hook.attnScores(point.layer) || name === hook.pattern(point.layer);
        return { ...(attention ? ctx.attnSite : ctx.site), point };
      },
      value(name) {
        const v = values.get(name);
        if (!v) throw new Error(`internal: hook ${name} was not recorded on the tape`);
        return v;
      },
      release: (keep) => scope.release(keep),
    };
  } catch (e) {
    scope.release();
    throw e;
  }
}
