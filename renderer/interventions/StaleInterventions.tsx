/**
 * A result's notice that the intervention list changed after it was computed: the worker reported
 * the list the run's model carried, and it is no longer the list the engine runs (compared in
 * order, canonically: analysis/hooks/intervention-list.ts). Without it, a figure on screen would
 * sit under a badge describing a model it was not computed with.
 */
import { describeIntervention } from '../../analysis/hooks/intervention-summary.ts';
import { sameInterventionList } from '../../analysis/hooks/intervention-list.ts';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { Button } from '../components/Button.tsx';
import { Message } from '../components/Message.tsx';
import { useOptionalInterventions } from './intervention-state.tsx';

/** "no interventions", "1 intervention", "3 interventions". */
function interventionCount(n: number): string {
  return n === 0 ? 'no interventions' : n === 1 ? '1 intervention' : `${n} interventions`;
}

export interface StaleInterventionsProps {
  /** What the shown result ran with (the worker's record); nothing is shown without one. */
  readonly ranWith: readonly Intervention[] | null | undefined;
  /** Runs the view again with the current list; omitted where there is nothing to rerun (a pinned figure). */
  readonly onRerun?: () => void;
  readonly rerunDisabled?: boolean;
  readonly testId?: string;
}

export function StaleInterventions({ ranWith, onRerun, rerunDisabled = false, testId = 'interventions-stale' }: StaleInterventionsProps) {
  const state = useOptionalInterventions();
  // Until the engine has answered for the open model, what it runs with is not known yet.
  const current = state?.applied?.applied;
  if (!ranWith || !current || sameInterventionList(ranWith, current)) return null;
  const lines = ranWith.map((iv, i) => `${i + 1}. ${describeIntervention(iv)}`).join('\n');
  return (
    <div className="interventions-stale" data-testid={testId} title={lines || undefined}>
      <Message tone="warning">
        Computed with {interventionCount(ranWith.length)}; the intervention list has changed since (the model now runs with {interventionCount(current.length)}).
        {onRerun && (
          <>
            {' '}
            <Button size="sm" onClick={onRerun} disabled={rerunDisabled} data-testid={`${testId}-rerun`}>
              Run again
            </Button>
          </>
        )}
      </Message>
    </div>
  );
}
