/**
 * Checking interventions against a model before running them: the schema, the hook name, the
 * selection keys the hook's axes allow, index ranges, vector lengths and named caches. Every
 * problem is one sentence naming the field and hook, so a form can show it beside the entry
 * (the app's intervention list) and a job can refuse a list with all of them.
 */
import type { Intervention } from './interventions.ts';
import { InterventionSchema, selectionAxisKey } from './interventions.ts';
import type { Axis, HookPoint } from './points.ts';
import { effectiveHook } from './session.ts';

/** The sizes of a model that bound intervention indices (a ModelSpec or the app's model card). */
export interface InterventionDims {
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly dHead: number;
  readonly dModel: number;
  readonly dMlp: number;
  readonly nCtx: number;
}

export interface InterventionCheck {
  /** The parsed intervention, or null when it does not match the schema. */
  readonly intervention: Intervention | null;
  /** Empty when it can run on this model. */
  readonly problems: readonly string[];
}

/** Size of an axis, or null when the dims do not say (q/k norm projections, batch). */
function axisSize(axis: Axis, dims: InterventionDims): number | null {
  switch (axis) {
    case 'head':
      return dims.nHeads;
    case 'kvHead':
      return dims.nKvHeads;
    case 'dHead':
      return dims.dHead;
    case 'dModel':
      return dims.dModel;
    case 'neuron':
      return dims.dMlp;
    case 'pos':
    case 'kvPos':
      return dims.nCtx;
    case 'one':
      return 1;
    default:
      return null;
  }
}

function indices(sel: number | readonly number[] | undefined): readonly number[] {
  return sel === undefined ? [] : typeof sel === 'number' ? [sel] : sel;
}

function unknownHook(name: string, dims: InterventionDims): string {
  const layer = /^blocks\.(\d+)\./.exec(name);
  if (layer && Number(layer[1]) >= dims.nLayers) {
    return `hook "${name}": this model has ${dims.nLayers} layers (blocks.0 to blocks.${dims.nLayers - 1})`;
  }
  return `hook "${name}" is not a hook of this model`;
}

/**
 * Checks one intervention (any JSON) for a model with these hook points and sizes; `caches`
 * are the names `source` and `reference` may use.
 */
export function checkIntervention(data: unknown, points: readonly HookPoint[], dims: InterventionDims, caches: readonly string[]): InterventionCheck {
  const parsed = InterventionSchema.safeParse(data);
  if (!parsed.success) {
    return { intervention: null, problems: parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)) };
  }
  const iv = parsed.data;
  const problems: string[] = [];
  const point = points.find((p) => p.name === effectiveHook(iv));
  if (!point) return { intervention: iv, problems: [unknownHook(iv.hook, dims)] };
  for (const key of ['head', 'pos', 'neuron', 'batch'] as const) {
    if (iv[key] === undefined) continue;
    const d = point.axes.findIndex((a) => selectionAxisKey(a) === key);
    if (d < 0) {
      problems.push(`${key}: ${iv.hook} has no ${key} axis (its axes: ${point.axes.join(', ')})`);
      continue;
    }
    const size = axisSize(point.axes[d], dims);
    const bad = size === null ? undefined : indices(iv[key]).find((i) => i >= size);
    if (bad !== undefined) problems.push(`${key}: ${bad} is outside [0, ${size}) on ${iv.hook} (${point.axes[d]} axis)`);
  }
  if (iv.op === 'add' && iv.vector !== undefined) {
    const last = axisSize(point.axes[point.axes.length - 1], dims);
    if (last !== null && iv.vector.length !== last) problems.push(`vector: has ${iv.vector.length} entries, the last axis of ${iv.hook} has ${last}`);
  }
  for (const key of ['source', 'reference'] as const) {
    const name = iv[key];
    if (name !== undefined && !caches.includes(name)) {
      problems.push(`${key}: there is no activation cache "${name}" (available: ${caches.length > 0 ? caches.map((c) => `"${c}"`).join(', ') : 'none'})`);
    }
  }
  return { intervention: iv, problems };
}

/** Parses and checks a whole list; throws one error naming every problem with its entry. */
export function checkInterventions(data: readonly unknown[], points: readonly HookPoint[], dims: InterventionDims, caches: readonly string[]): Intervention[] {
  const checks = data.map((d) => checkIntervention(d, points, dims, caches));
  const problems = checks.flatMap((c, i) => c.problems.map((p) => `intervention ${i + 1}: ${p}`));
  if (problems.length > 0) throw new Error(problems.join('; '));
  return checks.map((c) => c.intervention!);
}
