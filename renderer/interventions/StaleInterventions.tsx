/**
 * A result's notice that the model it was computed on changed after: the worker reported the
 * intervention list the run's model carried, and it is no longer the list the engine runs; or the
 * dictionaries spliced into every method are no longer the ones the run's params named
 * (stale-notice.ts says which, or both). Without it, a figure on screen would sit under badges
 * describing a model it was not computed with.
 */
import { describeIntervention } from '../../analysis/hooks/intervention-summary.ts';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { Button } from '../components/Button.tsx';
import { Message } from '../components/Message.tsx';
import type { RunSplice } from '../views/dictionaries/spliced-dictionaries.ts';
import { useSplicedDictionaries } from '../views/dictionaries/spliced-dictionaries.ts';
import { useOptionalInterventions } from './intervention-state.tsx';
import { staleNotice } from './stale-notice.ts';

export interface StaleInterventionsProps {
  /** What the shown result ran with (the worker's record); nothing is shown without one. */
  readonly ranWith: readonly Intervention[] | null | undefined;
  /** What the shown result's run took from the splice choice (method views); omitted where the choice does not reach the result. */
  readonly ranSplice?: RunSplice;
  /** Runs the view again with the current list; omitted where there is nothing to rerun (a pinned figure). */
  readonly onRerun?: () => void;
  readonly rerunDisabled?: boolean;
  readonly testId?: string;
}

export function StaleInterventions({ ranWith, ranSplice, onRerun, rerunDisabled = false, testId = 'interventions-stale' }: StaleInterventionsProps) {
  const state = useOptionalInterventions();
  const nowSplice = useSplicedDictionaries();
  // Until the engine has answered for the open model, what it runs with is not known yet.
  const current = state?.applied?.applied ?? null;
  const notice = ranWith ? staleNotice({ ranWith, current, ranSplice, nowSplice }) : null;
  if (!ranWith || !notice) return null;
  const lines = ranWith.map((iv, i) => `${i + 1}. ${describeIntervention(iv)}`).join('\n');
  return (
    <div className="interventions-stale" data-testid={testId} title={lines || undefined}>
      <Message tone="warning">
        {notice.text}
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
