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
 *
 * A cross-layer transcoder (circuit-tracer; `CltUse`) is spliced as one transcoder per layer
 * whose output also receives every earlier layer's features: layer j's MLP output becomes
 *   recons_j = b_dec_j + Σ_{i ≤ j} acts_i' · W_dec_i[:, j − i]  (+ skip_j)
 * and with the error term error_j = target_j − (the same sum over the un-edited acts_i). Its
 * stages carry the per-layer names under each layer's output hook: layer i's features are
 * `blocks.i.hook_mlp_out.hook_sae_acts_post` (also `…hook_sae_input`, `…hook_sae_acts_pre`), and
 * `blocks.j.hook_mlp_out.hook_sae_recons` / `…hook_sae_error` / `…hook_sae_output` are layer j's
 * whole reconstruction, error and output. Feature edits and steering name (layer, feature): an
 * edit changes that layer's activations, so every later layer it writes sees it; steering adds
 * coefficient · W_dec_i[f, j − i] to every layer j ≥ i the feature writes.
 */
import { z } from 'zod';
import type { Backend, Tensor } from '../../gpu/backend.ts';
import { shapeString } from '../../gpu/backend.ts';
import type { HookSite, Intervention } from '../hooks/interventions.ts';
import { selectionMask } from '../hooks/interventions.ts';
import type { Axis, HookPoint } from '../hooks/points.ts';
import type { CltOnBackend } from './clt-device.ts';
import { dictionaryHook } from './dictionary.ts';
import type { Dictionary } from './device.ts';
import { activate, decode, encode } from './device.ts';

const Index = z.number().int().nonnegative();
const Selection = z.union([Index, z.array(Index).nonempty()]);

const FeatureEditFields = {
  feature: Selection,
  /** ablate: 0; scale: acts·value; clamp: acts = value (also where the feature was off). */
  op: z.enum(['ablate', 'scale', 'clamp']),
  value: z.number().optional(),
  /** Absolute positions; all when omitted. */
  pos: Selection.optional(),
};

function needsValue(e: { op: string; value?: number }, ctx: z.RefinementCtx): void {
  if (e.op !== 'ablate' && e.value === undefined) ctx.addIssue({ code: 'custom', message: `feature edit "${e.op}" needs "value"` });
}

export const FeatureEditSchema = z.object(FeatureEditFields).strict().superRefine(needsValue);

const SteerFields = {
  feature: Index,
  /** Added: coefficient · W_dec[feature]. */
  coefficient: z.number(),
  pos: Selection.optional(),
};

export const SteerSchema = z.object(SteerFields).strict();

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

function parsed<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new Error(`invalid ${what} at ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return result.data;
}

export function parseDictionaryUse(data: unknown): DictionaryUseSpec {
  return parsed(DictionaryUseSchema, data, 'dictionary use');
}

/** A cross-layer transcoder's use: as a dictionary's, with features named by (layer, feature). */
export const CltUseSchema = z
  .object({
    splice: z.boolean().optional(),
    errorTerm: z.boolean().optional(),
    /** Edits of source layer `layer`'s features. */
    features: z.array(z.object({ ...FeatureEditFields, layer: Index }).strict().superRefine(needsValue)).optional(),
    /** Adds coefficient · W_dec_layer[feature, j − layer] to every layer j ≥ layer. */
    steer: z.array(z.object({ ...SteerFields, layer: Index }).strict()).optional(),
  })
  .strict();

export type CltUseSpec = z.infer<typeof CltUseSchema>;

/** A cross-layer transcoder attached to a run (HookOptions.crossLayerTranscoder). */
export interface CltUse extends CltUseSpec {
  readonly clt: CltOnBackend;
}

export function parseCltUse(data: unknown): CltUseSpec {
  return parsed(CltUseSchema, data, 'cross-layer transcoder use');
}

/** Steering: coefficient · rows[feature] added to one output. */
interface SteerRow extends Steer {
  readonly rows: Tensor;
}

/** What is spliced at one output hook: a dictionary, the rows of earlier dictionaries' features into this output (a CLT's), and steering. */
interface Splice {
  readonly use: DictionaryUse;
  readonly incoming: readonly { readonly from: DictionaryUse; readonly rows: Tensor }[];
  readonly steer: readonly SteerRow[];
}

/** A CLT as one splice per layer: layer j receives every layer i ≤ j's features through W_dec_i[:, j − i]. */
function cltSplices(use: CltUse): Splice[] {
  const spec = parseCltUse({ splice: use.splice, errorTerm: use.errorTerm, features: use.features, steer: use.steer });
  const { layers, label } = use.clt;
  for (const e of [...(spec.features ?? []), ...(spec.steer ?? [])]) {
    if (e.layer >= layers.length) throw new Error(`cross-layer transcoder ${label}: an edit or steer names layer ${e.layer}; it has layers 0..${layers.length - 1}`);
  }
  const perLayer: DictionaryUse[] = layers.map((l, i) => ({
    dictionary: l.dictionary,
    splice: spec.splice,
    errorTerm: spec.errorTerm,
    features: spec.features?.filter((e) => e.layer === i).map(({ layer: _, ...edit }) => edit),
  }));
  const rowsInto = (i: number, j: number): Tensor => {
    if (i === j) return layers[i].dictionary.weights.decoder;
    const dec = layers[i].later.find((d) => d.layer === j);
    if (!dec) throw new Error(`cross-layer transcoder ${label}: layer ${i} has no decoder rows into layer ${j}`);
    return dec.rows;
  };
  return perLayer.map((u, j) => ({
    use: u,
    incoming: perLayer.slice(0, j).map((from, i) => ({ from, rows: rowsInto(i, j) })),
    steer: (spec.steer ?? []).filter((s) => s.layer <= j).map(({ layer, ...s }) => ({ ...s, rows: rowsInto(layer, j) })),
  }));
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
  private readonly byOutput = new Map<string, Splice>();
  private readonly byInput = new Map<string, DictionaryUse[]>();
  private readonly inputs = new Map<DictionaryUse, Tensor>();
  /** Each spliced dictionary's activations, edited and clean, for the outputs of later layers (CLTs). */
  private readonly acts = new Map<DictionaryUse, { readonly edited: Tensor; readonly clean: Tensor }>();

  constructor(
    private readonly backend: Backend,
    modelPoints: readonly HookPoint[],
    uses: readonly DictionaryUse[],
    clt?: CltUse,
  ) {
    const order = new Map(modelPoints.map((p, i) => [p.name, i]));
    for (const use of uses) {
      parseDictionaryUse({ splice: use.splice, errorTerm: use.errorTerm, features: use.features, steer: use.steer });
      this.add({ use, incoming: [], steer: (use.steer ?? []).map((s) => ({ ...s, rows: use.dictionary.weights.decoder })) }, order, modelPoints);
    }
    if (clt) for (const splice of cltSplices(clt)) this.add(splice, order, modelPoints);
  }

  private add(splice: Splice, order: ReadonlyMap<string, number>, modelPoints: readonly HookPoint[]): void {
    const { use } = splice;
    const { hookIn, hookOut, label, dSae } = use.dictionary.config;
    for (const h of [hookIn, hookOut]) {
      if (!order.has(h)) throw new Error(`dictionary ${label} reads or writes hook "${h}", which this model does not have`);
    }
    if (order.get(hookIn)! > order.get(hookOut)!) {
      throw new Error(`dictionary ${label}: its input hook ${hookIn} comes after its output hook ${hookOut} in the forward pass`);
    }
    if (this.byOutput.has(hookOut)) throw new Error(`two dictionaries write ${hookOut}; attach one per hook`);
    for (const f of [...(use.features ?? []).flatMap((e) => (typeof e.feature === 'number' ? [e.feature] : e.feature)), ...splice.steer.map((s) => s.feature)]) {
      if (f >= dSae) throw new Error(`dictionary ${label}: feature ${f} is outside [0, ${dSae})`);
    }
    this.byOutput.set(hookOut, splice);
    this.byInput.set(hookIn, [...(this.byInput.get(hookIn) ?? []), use]);
    this.hooks.add(hookIn).add(hookOut);
    this.points.push(...dictionaryPoints(hookOut, modelPoints[order.get(hookOut)!].layer));
  }

  /** Called at every hook in `hooks` with the activation; returns what the forward continues with. */
  async at(name: string, x: Tensor, site: Omit<HookSite, 'point'>, stage: StageHook, pointOf: (name: string) => HookPoint): Promise<Tensor> {
    let out = x;
    const splice = this.byOutput.get(name);
    if (splice) out = await this.splice(splice, out, site, stage, pointOf);
    for (const reader of this.byInput.get(name) ?? []) this.inputs.set(reader, out);
    return out;
  }

  private async splice(splice: Splice, target: Tensor, site: Omit<HookSite, 'point'>, stage: StageHook, pointOf: (name: string) => HookPoint): Promise<Tensor> {
    const b = this.backend;
    const { use } = splice;
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
    this.acts.set(use, { edited, clean: acts });
    const decoded = this.withIncoming(splice, decode(b, dict, edited, x, enc.norm), 'edited');
    const recons = await at(dictionaryHook.recons(hookOut), decoded);
    if (use.splice === false) return target;

    const targetFlat = toDictionaryLayout(b, target, dict, dOut, hookOut);
    let output = recons;
    if (use.errorTerm === true) {
      // The error term comes from the un-edited activations (SAELens), so edits survive it.
      const unedited = [use, ...splice.incoming.map((c) => c.from)].every((u) => this.acts.get(u)!.edited === this.acts.get(u)!.clean);
      const clean = unedited ? decoded : this.withIncoming(splice, decode(b, dict, acts, x, enc.norm), 'clean');
      const error = await at(dictionaryHook.error(hookOut), b.sub(targetFlat, clean));
      output = b.add(recons, error);
    }
    for (const s of splice.steer) {
      const direction = b.scale(b.reshape(b.gather(s.rows, Int32Array.of(s.feature)), [dOut]), s.coefficient);
      const steered = b.add(output, direction);
      output = s.pos === undefined ? steered : this.masked(steered, output, { pos: s.pos }, site, pointOf(dictionaryHook.output(hookOut)));
    }
    output = await at(dictionaryHook.output(hookOut), output);
    return fromDictionaryLayout(b, output, target, dict);
  }

  /** `decoded` plus the earlier layers' features written into this output (a CLT's; none for other dictionaries). */
  private withIncoming(splice: Splice, decoded: Tensor, which: 'edited' | 'clean'): Tensor {
    let out = decoded;
    for (const c of splice.incoming) {
      const acts = this.acts.get(c.from);
      if (!acts) throw new Error(`internal: ${c.from.dictionary.config.label} was not spliced before ${splice.use.dictionary.config.hookOut}`);
      out = this.backend.add(out, this.backend.linearTransposed(acts[which], c.rows));
    }
    return out;
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
