/**
 * What a result's notice says when the model it was computed on is no longer the model methods
 * run: the intervention list changed (compared in order, canonically:
 * analysis/hooks/intervention-list.ts), the dictionaries spliced into every method changed
 * (reference or mode: views/dictionaries/spliced-dictionaries.ts), or both. Null when neither did.
 */
import { sameInterventionList } from '../../analysis/hooks/intervention-list.ts';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import type { RunSplice, SplicedDictionaries } from '../views/dictionaries/spliced-dictionaries.ts';
import { sameSplice, SPLICE_MODE_NAMES } from '../views/dictionaries/spliced-dictionaries.ts';

export interface StaleInputs {
  /** The interventions the result's model carried (the worker's record). */
  readonly ranWith: readonly Intervention[];
  /** The list the engine runs now; null until it has answered for the open model. */
  readonly current: readonly Intervention[] | null;
  /** What the run took from the splice choice; undefined for a result the choice does not reach. */
  readonly ranSplice?: RunSplice;
  /** The splice choice now. */
  readonly nowSplice: SplicedDictionaries | null;
}

export interface StaleNotice {
  readonly interventions: boolean;
  readonly splice: boolean;
  readonly text: string;
}

/** "no interventions", "1 intervention", "3 interventions". */
function interventionCount(n: number): string {
  return n === 0 ? 'no interventions' : n === 1 ? '1 intervention' : `${n} interventions`;
}

/** "no dictionaries spliced", "my-clt spliced (reconstruction only)". */
function splicedText(s: SplicedDictionaries | null): string {
  return s === null ? 'no dictionaries spliced' : `${s.label} spliced (${SPLICE_MODE_NAMES[s.mode]})`;
}

export function staleNotice({ ranWith, current, ranSplice, nowSplice }: StaleInputs): StaleNotice | null {
  const interventions = current !== null && !sameInterventionList(ranWith, current);
  const splice = ranSplice !== undefined && !sameSplice(ranSplice, nowSplice);
  if (!interventions && !splice) return null;
  const ran = ranSplice === undefined || ranSplice === 'own' ? null : ranSplice;
  let text: string;
  if (!splice) {
    text = `Computed with ${interventionCount(ranWith.length)}; the intervention list has changed since (the model now runs with ${interventionCount(current!.length)}).`;
  } else if (!interventions) {
    text = `Computed with ${splicedText(ran)}; the spliced dictionaries have changed since (methods now run with ${splicedText(nowSplice)}).`;
  } else {
    text = `Computed with ${interventionCount(ranWith.length)} and ${splicedText(ran)}; the intervention list and the spliced dictionaries have changed since (the model now runs with ${interventionCount(current!.length)} and ${splicedText(nowSplice)}).`;
  }
  return { interventions, splice, text };
}
