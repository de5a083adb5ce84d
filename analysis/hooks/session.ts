/**
 * One forward pass's hook state: what to capture, which interventions and callbacks fire where.
 * Created per run (no global mutable hook state); the forward pass calls `at(name, x, site)` at
 * every hook point and uses the returned tensor.
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';
import type { CltUse, DictionaryUse } from '../dictionaries/splice.ts';
import { DictionarySplicer } from '../dictionaries/splice.ts';
import { resolveHookPatterns } from './glob.ts';
import type { ActivationCache, HookSite, Intervention, NamedCaches } from './interventions.ts';
import { applyIntervention } from './interventions.ts';
import type { HookPoint } from './points.ts';

export interface HookContext {
  readonly name: string;
  readonly backend: Backend;
  readonly site: HookSite;
}

/** A power-user hook: sees the tensor, may return a replacement of the same shape. */
export interface HookCallback {
  /** Hook name or glob. */
  readonly hook: string;
  readonly fn: (x: Tensor, ctx: HookContext) => Tensor | void | Promise<Tensor | void>;
}

export interface HookOptions {
  /** Names or globs of activations to return; nothing else is kept or read back. */
  readonly capture?: readonly string[];
  readonly interventions?: readonly Intervention[];
  readonly callbacks?: readonly HookCallback[];
  /** Caches that interventions name as `source` / `reference`. */
  readonly caches?: NamedCaches;
  /**
   * Sparse dictionaries spliced in at their hooks (analysis/dictionaries/splice.ts); their stages
   * (`<hook>.hook_sae_acts_post`, …) become hook points of this run.
   */
  readonly dictionaries?: readonly DictionaryUse[];
  /**
   * A cross-layer transcoder spliced into every MLP output (splice.ts, `CltUse`): its stages are
   * the per-layer dictionary stages under each blocks.L.hook_mlp_out. Forward passes only (run,
   * generate); gradient tapes do not differentiate through it.
   */
  readonly crossLayerTranscoder?: CltUse;
  /**
   * Hooks whose arriving value (before this run's interventions, callbacks and splices there) is
   * kept: a sweep that restarts the forward at such a hook (patch-runs.ts) gives it that value, and
   * the hook's own interventions and splices then act once, as in the full pass.
   */
  readonly arriving?: readonly string[];
}

/** `uniform` acts before the softmax; stated on the pattern, it is applied to the scores. */
export function effectiveHook(iv: Intervention): string {
  return iv.op === 'uniform' ? iv.hook.replace(/hook_pattern$/, 'hook_attn_scores') : iv.hook;
}

export class HookSession {
  private readonly captureSet: Set<string>;
  private readonly interventions = new Map<string, Intervention[]>();
  private readonly callbacks = new Map<string, HookCallback['fn'][]>();
  private readonly captured = new Map<string, Tensor>();
  private readonly arrivingSet: ReadonlySet<string>;
  private readonly arrived = new Map<string, Tensor>();
  private readonly points: Map<string, HookPoint>;
  private readonly splicer: DictionarySplicer | null;

  constructor(
    private readonly backend: Backend,
    points: readonly HookPoint[],
    private readonly options: HookOptions,
  ) {
    this.splicer =
      options.dictionaries?.length || options.crossLayerTranscoder
        ? new DictionarySplicer(backend, points, options.dictionaries ?? [], options.crossLayerTranscoder)
        : null;
    // A model with attached dictionaries lists their stages among its points already.
    const known = new Set(points.map((p) => p.name));
    const all = this.splicer ? [...points, ...this.splicer.points.filter((p) => !known.has(p.name))] : points;
    this.points = new Map(all.map((p) => [p.name, p]));
    const names = all.map((p) => p.name);
    this.captureSet = resolveHookPatterns(names, options.capture ?? []);
    this.arrivingSet = new Set(options.arriving ?? []);
    for (const name of this.arrivingSet) if (!this.points.has(name)) throw new Error(`internal: no hook point ${name} to keep the arriving value of`);
    for (const iv of options.interventions ?? []) {
      const name = effectiveHook(iv);
      if (!this.points.has(name)) throw new Error(`intervention names hook "${iv.hook}", which this model does not have`);
      this.interventions.set(name, [...(this.interventions.get(name) ?? []), iv]);
    }
    for (const cb of options.callbacks ?? []) {
      for (const name of resolveHookPatterns(names, [cb.hook])) {
        this.callbacks.set(name, [...(this.callbacks.get(name) ?? []), cb.fn]);
      }
    }
  }

  /** Whether anything observes or changes this hook (optional activations are computed only then). */
  wants(name: string): boolean {
    return this.captureSet.has(name) || this.arrivingSet.has(name) || this.interventions.has(name) || this.callbacks.has(name) || this.splicer?.hooks.has(name) === true;
  }

  point(name: string): HookPoint {
    const p = this.points.get(name);
    if (!p) throw new Error(`internal: unknown hook point ${name}`);
    return p;
  }

  async at(name: string, x: Tensor, site: Omit<HookSite, 'point'>): Promise<Tensor> {
    if (!this.wants(name)) return x;
    const full: HookSite = { ...site, point: this.point(name) };
    if (this.arrivingSet.has(name)) this.arrived.set(name, x);
    let out = x;
    for (const iv of this.interventions.get(name) ?? []) {
      out = applyIntervention(this.backend, out, iv, this.options.caches, full);
    }
    for (const fn of this.callbacks.get(name) ?? []) {
      const replaced = await fn(out, { name, backend: this.backend, site: full });
      if (replaced) {
        if (replaced.shape.join() !== out.shape.join()) {
          throw new Error(`hook callback at ${name} returned shape [${replaced.shape}] for [${out.shape}]`);
        }
        out = replaced;
      }
    }
    if (this.splicer?.hooks.has(name)) {
      out = await this.splicer.at(name, out, site, (n, t, s) => this.at(n, t, s), (n) => this.point(n));
    }
    if (this.captureSet.has(name)) this.captured.set(name, out);
    return out;
  }

  /** The values that arrived at the `arriving` hooks (still on the backend). */
  arrivingTensors(): ReadonlyMap<string, Tensor> {
    return this.arrived;
  }

  /** Captured tensors by name (still on the backend). */
  capturedTensors(): ReadonlyMap<string, Tensor> {
    return this.captured;
  }

  /** Turns read-back data (in the order of `capturedTensors()`) into a cache. */
  static toCache(names: readonly string[], tensors: readonly Tensor[], data: readonly Float32Array[]): ActivationCache {
    const cache: ActivationCache = {};
    names.forEach((n, i) => (cache[n] = { shape: [...tensors[i].shape], data: data[i] }));
    return cache;
  }
}
