/**
 * A model with interventions as one readable text, the way Penzai prints an intervened model:
 * the model, then one line per intervention — what it does, where, and on which heads,
 * positions, neurons or batch rows — so a saved run says what was changed at a glance.
 */
import type { Intervention } from './interventions.ts';

function list(what: string, sel: number | readonly number[] | undefined): string | null {
  if (sel === undefined) return null;
  const items = typeof sel === 'number' ? [sel] : sel;
  return `${what}${items.length > 1 ? 's' : ''} ${items.join(', ')}`;
}

/** One intervention, e.g. "zero blocks.3.attn.hook_z · head 2 · pos 4". */
export function describeIntervention(iv: Intervention): string {
  const op =
    iv.op === 'scale'
      ? `scale ×${iv.factor}`
      : iv.op === 'add'
        ? `add a ${iv.vector?.length ?? 0}-vector to`
        : iv.op === 'replace' || iv.op === 'resample'
          ? `${iv.op} from "${iv.source}"`
          : iv.op === 'mean' && iv.reference
            ? `mean over "${iv.reference}"`
            : iv.op;
  const where = [list('head', iv.head), list('pos', iv.pos), list('neuron', iv.neuron), list('batch row', iv.batch)].filter((s) => s !== null);
  return [`${op} ${iv.hook}`, ...where].join(' · ');
}

/** "model NAME" and then "  + …" per intervention ("(no interventions)" when there are none). */
export function interventionSummary(model: string, interventions: readonly Intervention[]): string {
  if (interventions.length === 0) return `${model} (no interventions)`;
  return [model, ...interventions.map((iv) => `  + ${describeIntervention(iv)}`)].join('\n');
}
