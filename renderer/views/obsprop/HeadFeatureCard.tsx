/**
 * The picked head's ObsProp feature y decoded through the unembedding: the tokens it promotes and
 * suppresses, each beside its value (W_U y)[token] as the method's result carries it.
 */
import type { ObsPropJson } from '../../../analysis/registry/obsprop.ts';
import { DecodedDirectionCard, decodedOfJson } from '../shared/DecodedDirectionCard.tsx';
import { formatNumber } from '../shared/DetailList.tsx';

export function HeadFeatureCard({ result, head }: { result: ObsPropJson; head: string }) {
  const entry = result.ranking.find((h) => h.head === head);
  if (!entry) return null;
  return (
    <div data-testid="obsprop-decoded">
      <DecodedDirectionCard
        title={`Feature of ${head} decoded`}
        subtitle={`‖y‖ = ${entry.norm === null ? '—' : formatNumber(entry.norm)} · values (W_U y)[token]`}
        decoded={decodedOfJson(entry.decoded)}
      />
    </div>
  );
}
