/**
 * Dictionaries attached to a forward pass, as data: which dictionary, whether its output
 * replaces the model's activation, with or without the error term, and feature edits (ablate,
 * scale, clamp by feature id) and steering (add a feature's decoder direction).
 *
 * SAELens (`HookedSAETransformer`) semantics, ../../../shared/fixtures/README.md:
 * the input is read at `hookIn` (after any interventions there), the output replaces the
 * activation at `hookOut` at every position, and with the error term
 *   output = decode(acts') + (target − decode(acts))
 * where target is the model's own activation at hookOut, acts the dictionary's activations and
 * acts' the edited ones — so edits are not cancelled by the error term. Steering adds
 * coefficient·W_dec[f] to the output afterwards.
 *
 * The dictionary's stages are hook points of their own, named as SAELens names them under the
 * output hook (`blocks.2.hook_resid_post.hook_sae_acts_post`, …): they can be captured,
 * intervened on (e.g. `replace` from another run's cache: patching feature activations) and
 * hooked by callbacks like any other activation.
 */
import { z } from 'zod';
import type { Backend, Tensor } from '../../gpu/backend.ts';
import { shapeString } from '../../gpu/backend.ts';
import type { HookSite, Intervention } from '../hooks/interventions.ts';
import { selectionMask } from '../hooks/interventions.ts';
import type { Axis, HookPoint } from '../hooks/points.ts';
import { dictionaryHook } from './dictionary.ts';
import type { Dictionary } from './device.ts';
import { activate, decode, decoderDirection, encode } from './device.ts';

const Index = z.number().int().nonnegative();
const Selection = z.union([Index, z.array(Index).nonempty()]);

export const FeatureEditSchema = z
  .object({
    feature: Selection,
    /** ablate: 0; scale: acts·value; clamp: acts = value (also where the feature was off). */
    op: z.enum(['ablate', 'scale', 'clamp']),
    value: z.number().optional(),
    /** Absolute positions; all when omitted. */
    pos: Selection.optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.op !== 'ablate' && e.value === undefined) ctx.addIssue({ code: 'custom', message: `feature edit "${e.op}" needs "value"` });
  });

export const SteerSchema = z
  .object({
    feature: Index,
    /** Added: coefficient · W_dec[feature]. */
    coefficient: z.number(),
    pos: Selection.optional(),
  })
  .strict();

export const DictionaryUseSchema = z
  .object({
    /** Replace the activation at the output hook (default true); false only observes. */
    splice: z.boolean().optional(),
    /** Add the error term target − decode(acts) (default false, as SAELens's use_error_term). */
    errorTerm: z.boolean().optional(),
    features: z.array(FeatureEditSchema).optional(),
    steer: z.array(SteerSchema).optional(),
  })
  .strict();

export type FeatureEdit = z.infer<typeof FeatureEditSchema>;
export type Steer = z.infer<typeof SteerSchema>;
export type DictionaryUseSpec = z.infer<typeof DictionaryUseSchema>;

/** A dictionary attached to a run: the loaded dictionary plus what to do with it. */
export interface DictionaryUse extends DictionaryUseSpec {
  readonly dictionary: Dictionary;
}

export function parseDictionaryUse(data: unknown): DictionaryUseSpec {
  const parsed = DictionaryUseSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid dictionary use at ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

const STAGE_AXES: readonly Axis[] = ['batch', 'pos', 'dModel'];
const FEATURE_AXES: readonly Axis[] = ['batch', 'pos', 'neuron'];

/** The hook points a dictionary adds under its output hook. */
export function dictionaryPoints(hookOut: string, layer: number): HookPoint[] {
  return [
    { name: dictionaryHook.input(hookOut), axes: STAGE_AXES, layer },
    { name: dictionaryHook.actsPre(hookOut), axes: FEATURE_AXES, layer },
    { name: dictionaryHook.actsPost(hookOut), axes: FEATURE_AXES, layer },
    { name: dictionaryHook.recons(hookOut), axes: STAGE_AXES, layer },
    { name: dictionaryHook.error(hookOut), axes: STAGE_AXES, layer },
    { name: dictionaryHook.output(hookOut), axes: STAGE_AXES, layer },
  ];
}

/** Runs a dictionary's own hook point (captures, interventions, callbacks) on a tensor. */
export type StageHook = (name: string, x: Tensor, site: HookSite) => Promise<Tensor>;

/**
 * The dictionaries of one forward pass. The hook session calls `at` for every hook in `hooks`;
 * the splicer keeps transcoder inputs until their output hook comes.
 */
export class DictionarySplicer {
  /** Hooks where a dictionary reads or writes. */
  readonly hooks = new Set<string>();
  readonly points: HookPoint[] = [];
  private readonly byOutput = new Map<string, DictionaryUse>();
  private readonly byInput = new Map<string, DictionaryUse[]>();
  private readonly inputs = new Map<DictionaryUse, Tensor>();

  constructor(
    private readonly backend: Backend,
    modelPoints: readonly HookPoint[],
    uses: readonly DictionaryUse[],
  ) {
    const order = new Map(modelPoints.map((p, i) => [p.name, i]));
    for (const use of uses) {
      parseDictionaryUse({ splice: use.splice, errorTerm: use.errorTerm, features: use.features, steer: use.steer });
      const { hookIn, hookOut, label, dSae } = use.dictionary.config;
      for (const h of [hookIn, hookOut]) {
        if (!order.has(h)) throw new Error(`dictionary ${label} reads or writes hook "${h}", which this model does not have`);
      }
      if (order.get(hookIn)! > order.get(hookOut)!) {
        throw new Error(`dictionary ${label}: its input hook ${hookIn} comes after its output hook ${hookOut} in the forward pass`);
      }
      if (this.byOutput.has(hookOut)) throw new Error(`two dictionaries write ${hookOut}; attach one per hook`);
      for (const f of [...(use.features ?? []).flatMap((e) => (typeof e.feature === 'number' ? [e.feature] : e.feature)), ...(use.steer ?? []).map((s) => s.feature)]) {
        if (f >= dSae) throw new Error(`dictionary ${label}: feature ${f} is outside [0, ${dSae})`);
      }
      this.byOutput.set(hookOut, use);
      this.byInput.set(hookIn, [...(this.byInput.get(hookIn) ?? []), use]);
      this.hooks.add(hookIn).add(hookOut);
      this.points.push(...dictionaryPoints(hookOut, modelPoints[order.get(hookOut)!].layer));
    }
  }

  /** Called at every hook in `hooks` with the activation; returns what the forward continues with. */
  async at(name: string, x: Tensor, site: Omit<HookSite, 'point'>, stage: StageHook, pointOf: (name: string) => HookPoint): Promise<Tensor> {
    let out = x;
    const use = this.byOutput.get(name);
    if (use) out = await this.splice(use, out, site, stage, pointOf);
    for (const reader of this.byInput.get(name) ?? []) this.inputs.set(reader, out);
    return out;
  }

  private async splice(use: DictionaryUse, target: Tensor, site: Omit<HookSite, 'point'>, stage: StageHook, pointOf: (name: string) => HookPoint): Promise<Tensor> {
    const b = this.backend;
    const dict = use.dictionary;
    const { hookIn, hookOut, dIn, dOut } = dict.config;
    const raw = hookIn === hookOut ? target : this.inputs.get(use);
    if (!raw) throw new Error(`internal: dictionary input ${hookIn} was not seen before ${hookOut}`);
    const at = (stageName: string, t: Tensor) => stage(stageName, t, { ...site, point: pointOf(stageName) });

    const x = await at(dictionaryHook.input(hookOut), toDictionaryLayout(b, raw, dict, dIn, hookIn));
    const enc = encode(b, dict, x);
    const hiddenPre = await at(dictionaryHook.actsPre(hookOut), enc.hiddenPre);
    const acts = activate(b, dict, hiddenPre, enc.saeIn);
    const edited = await at(dictionaryHook.actsPost(hookOut), this.editFeatures(use, acts, site, pointOf));
    const decoded = decode(b, dict, edited, x, enc.norm);
    const recons = await at(dictionaryHook.recons(hookOut), decoded);
    if (use.splice === false) return target;

    const targetFlat = toDictionaryLayout(b, target, dict, dOut, hookOut);
    let output = recons;
    if (use.errorTerm === true) {
      // The error term comes from the un-edited activations (SAELens), so edits survive it.
      const clean = edited === acts ? decoded : decode(b, dict, acts, x, enc.norm);
      const error = await at(dictionaryHook.error(hookOut), b.sub(targetFlat, clean));
      output = b.add(recons, error);
    }
    for (const s of use.steer ?? []) {
      const direction = b.scale(decoderDirection(b, dict, s.feature), s.coefficient);
      const steered = b.add(output, direction);
      output = s.pos === undefined ? steered : this.masked(steered, output, { pos: s.pos }, site, pointOf(dictionaryHook.output(hookOut)));
    }
    output = await at(dictionaryHook.output(hookOut), output);
    return fromDictionaryLayout(b, output, target, dict);
  }

  private editFeatures(use: DictionaryUse, acts: Tensor, site: Omit<HookSite, 'point'>, pointOf: (name: string) => HookPoint): Tensor {
    const b = this.backend;
    const point = pointOf(dictionaryHook.actsPost(use.dictionary.config.hookOut));
    let out = acts;
    for (const e of use.features ?? []) {
      const value =
        e.op === 'ablate' ? b.fill(out.shape, 0) : e.op === 'scale' ? b.scale(out, e.value!) : b.fill(out.shape, e.value!);
      out = this.masked(value, out, { neuron: e.feature, pos: e.pos }, site, point);
    }
    return out;
  }

  /** `value` where the selection holds, else `old` (bit-exact outside it). */
  private masked(value: Tensor, old: Tensor, sel: Pick<Intervention, 'neuron' | 'pos'>, site: Omit<HookSite, 'point'>, point: HookPoint): Tensor {
    const iv: Intervention = { hook: point.name, op: 'zero', ...sel };
    const mask = selectionMask(old.shape, iv, { ...site, point });
    return mask === null ? value : this.backend.select(this.backend.upload(mask, old.shape), value, old);
  }
}

/**
 * The activation as the dictionary reads it: [batch, pos, width]. Per-head hooks
 * ([batch, pos, head, dHead]) are flattened to head·dHead (SAELens's hook_z reshaping), or give
 * one head when the dictionary names a head index.
 */
export function toDictionaryLayout(b: Backend, x: Tensor, dict: Dictionary, width: number, hook: string): Tensor {
  let flat = x;
  if (x.shape.length === 4) {
    const [batch, pos, heads, dHead] = x.shape;
    const head = dict.config.headIndex;
    if (head !== null) {
      if (head >= heads) throw new Error(`dictionary ${dict.config.label}: hook_head_index ${head} is outside the ${heads} heads of ${hook}`);
      flat = b.reshape(b.slice(x, 2, head, head + 1), [batch, pos, dHead]);
    } else {
      flat = b.reshape(x, [batch, pos, heads * dHead]);
    }
  }
  const got = flat.shape[flat.shape.length - 1];
  if (flat.shape.length !== 3 || got !== width) {
    throw new Error(`dictionary ${dict.config.label} expects width ${width} at ${hook}, but the model's activation there is ${shapeString(x.shape)}`);
  }
  return flat;
}

/** Back to the hook's own shape; with a head index only that head is replaced. */
function fromDictionaryLayout(b: Backend, y: Tensor, like: Tensor, dict: Dictionary): Tensor {
  if (like.shape.length !== 4) return y;
  const [batch, pos, heads, dHead] = like.shape;
  const head = dict.config.headIndex;
  if (head === null) return b.reshape(y, like.shape);
  const parts: Tensor[] = [];
  if (head > 0) parts.push(b.slice(like, 2, 0, head));
  parts.push(b.reshape(y, [batch, pos, 1, dHead]));
  if (head + 1 < heads) parts.push(b.slice(like, 2, head + 1, heads));
  return parts.length === 1 ? parts[0] : b.concat(parts, 2);
}
