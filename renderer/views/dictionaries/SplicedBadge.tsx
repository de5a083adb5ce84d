/** A compact "spliced" mark beside the intervention badge, so no method result is read as the plain model's. */
import { SPLICE_MODE_NAMES as MODE_NAMES, useSplicedDictionaries } from './spliced-dictionaries.ts';

export function SplicedBadge() {
  const spliced = useSplicedDictionaries();
  if (spliced === null) return null;
  return (
    <span className="intervention-badge" title={`Every method view runs with ${spliced.label} spliced in (${MODE_NAMES[spliced.mode]})`} data-testid="spliced-badge">
      spliced · {MODE_NAMES[spliced.mode]}
    </span>
  );
}
