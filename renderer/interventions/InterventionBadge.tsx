/** A compact "intervened" mark wherever the model is named, so no result is read as the plain model's. */
import { useOptionalInterventions } from './intervention-state.tsx';

export function InterventionBadge() {
  const state = useOptionalInterventions();
  const applied = state?.applied?.applied ?? [];
  if (applied.length === 0) return null;
  return (
    <span className="intervention-badge" title={state?.applied?.summary} data-testid="intervention-badge">
      intervened · {applied.length}
    </span>
  );
}
