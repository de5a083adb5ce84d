/** A compact "intervened" mark wherever the model is named, so no result is read as the plain model's. */
import { SplicedBadge } from '../views/dictionaries/SplicedBadge.tsx';
import { useOptionalInterventions } from './intervention-state.tsx';

export function InterventionBadge() {
  const state = useOptionalInterventions();
  const applied = state?.applied?.applied ?? [];
  return (
    <>
      {applied.length > 0 && (
        <span className="intervention-badge" title={state?.applied?.summary} data-testid="intervention-badge">
          intervened · {applied.length}
        </span>
      )}
      <SplicedBadge />
    </>
  );
}
