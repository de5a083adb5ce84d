/**
 * Whether two intervention lists intervene the same way: each entry in a canonical form (fields
 * in one order, absent fields dropped, a selection as its sorted distinct indices, since `2` and
 * `[2]` or `[3, 1]` and `[1, 3]` select the same elements), compared entry by entry in order —
 * interventions compose in order, so the same entries in another order are another model.
 */
import type { Intervention } from './interventions.ts';

type Selection = number | readonly number[] | undefined;

function canonicalSelection(sel: Selection): number[] | undefined {
  if (sel === undefined) return undefined;
  return [...new Set(typeof sel === 'number' ? [sel] : sel)].sort((a, b) => a - b);
}

/** One intervention as a string that is equal exactly for interventions that select and change the same way. */
export function canonicalIntervention(iv: Intervention): string {
  return JSON.stringify([
    iv.hook,
    iv.op,
    canonicalSelection(iv.head) ?? null,
    canonicalSelection(iv.pos) ?? null,
    canonicalSelection(iv.neuron) ?? null,
    canonicalSelection(iv.batch) ?? null,
    iv.source ?? null,
    iv.reference ?? null,
    iv.vector ?? null,
    iv.factor ?? null,
  ]);
}

/** Same length and, position by position, the same canonical intervention. */
export function sameInterventionList(a: readonly Intervention[], b: readonly Intervention[]): boolean {
  return a.length === b.length && a.every((iv, i) => canonicalIntervention(iv) === canonicalIntervention(b[i]));
}
