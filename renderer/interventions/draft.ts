/**
 * The "add an intervention" form as data: the typed fields → intervention JSON (checked later
 * against the model by analysis/hooks/check-interventions.ts), and the list's operations
 * (toggle, move, remove) as pure functions.
 */
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import type { PromptCacheName } from '../worker/intervention-contracts.ts';

export type InterventionOp = Intervention['op'];
export const OPS: readonly InterventionOp[] = ['zero', 'mean', 'resample', 'replace', 'add', 'scale', 'uniform'];

/** What each op does, for the form's hint. */
export const OP_HINTS: Readonly<Record<InterventionOp, string>> = {
  zero: 'set the selection to 0',
  mean: 'set the selection to its mean over the reference prompt’s positions',
  resample: 'copy the selection from the other prompt’s run',
  replace: 'copy the selection from the other prompt’s run (the denoising patch)',
  add: 'add a vector along the hook’s last axis (e.g. a steering vector)',
  scale: 'multiply the selection by a factor',
  uniform: 'attention scores/pattern only: attend uniformly over the visible keys',
};

export interface InterventionDraft {
  readonly hook: string;
  readonly op: InterventionOp;
  /** Comma-separated indices; empty = all. */
  readonly head: string;
  readonly pos: string;
  readonly neuron: string;
  readonly factor: string;
  /** Comma-separated numbers (op add). */
  readonly vector: string;
  /** The prompt whose activations resample/replace copy and mean averages. */
  readonly prompt: PromptCacheName;
}

/** "3" → 3, "1, 4" → [1, 4], "" → undefined; null when it is not a list of whole numbers ≥ 0. */
export function parseIndices(text: string): number | number[] | undefined | null {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 1 && parts[0] === '') return undefined;
  if (!parts.every((p) => /^\d+$/.test(p))) return null;
  const values = parts.map(Number);
  return values.length === 1 ? values[0] : values;
}

function parseNumbers(text: string): number[] | null {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  return parts.every((p) => p !== '') && values.every(Number.isFinite) ? values : null;
}

/** The intervention the form describes, or the problems with what was typed. */
export function draftToIntervention(d: InterventionDraft): { intervention: Intervention | null; problems: string[] } {
  const problems: string[] = [];
  const iv: Record<string, unknown> = { hook: d.hook.trim(), op: d.op };
  if (iv.hook === '') problems.push('hook: choose a hook');
  for (const key of ['head', 'pos', 'neuron'] as const) {
    const sel = parseIndices(d[key]);
    if (sel === null) problems.push(`${key}: “${d[key]}” is not a list of whole numbers like 2 or 1, 3`);
    else if (sel !== undefined) iv[key] = sel;
  }
  if (d.op === 'scale') {
    const factor = Number(d.factor);
    if (d.factor.trim() === '' || !Number.isFinite(factor)) problems.push(`factor: “${d.factor}” is not a number`);
    else iv.factor = factor;
  }
  if (d.op === 'add') {
    const vector = parseNumbers(d.vector);
    if (!vector) problems.push('vector: enter comma-separated numbers, one per entry of the hook’s last axis');
    else iv.vector = vector;
  }
  if (d.op === 'replace' || d.op === 'resample') iv.source = d.prompt;
  if (d.op === 'mean') iv.reference = d.prompt;
  return { intervention: problems.length === 0 ? (iv as Intervention) : null, problems };
}

export interface InterventionEntry {
  /** Stable key for the list (React keys, toggles). */
  readonly id: number;
  readonly enabled: boolean;
  readonly intervention: Intervention;
}

/**
 * The list the engine is given: the enabled entries without problems on the open model, in the
 * list's order. A turned-off entry is not part of the model (results compare against this list).
 */
export function runnableInterventions(entries: readonly InterventionEntry[], problemsOf: (iv: Intervention) => readonly string[]): Intervention[] {
  return entries.filter((e) => e.enabled && problemsOf(e.intervention).length === 0).map((e) => e.intervention);
}

export function toggleEntry(entries: readonly InterventionEntry[], id: number): InterventionEntry[] {
  return entries.map((e) => (e.id === id ? { ...e, enabled: !e.enabled } : e));
}

export function removeEntry(entries: readonly InterventionEntry[], id: number): InterventionEntry[] {
  return entries.filter((e) => e.id !== id);
}

/** Moves an entry `delta` places (−1 up, +1 down), staying inside the list. */
export function moveEntry(entries: readonly InterventionEntry[], id: number, delta: number): InterventionEntry[] {
  const from = entries.findIndex((e) => e.id === id);
  if (from < 0) return [...entries];
  const to = Math.max(0, Math.min(entries.length - 1, from + delta));
  const out = [...entries];
  const [moved] = out.splice(from, 1);
  out.splice(to, 0, moved);
  return out;
}
