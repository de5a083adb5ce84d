/**
 * How the corrupted run is made: the corrupted prompt (symmetric token replacement), or
 * Gaussian noise on the embeddings of chosen positions (σ as typed, blank: 3 × the embedding std;
 * seeded).
 */
import { useId } from 'react';
import { NumberField } from '../../components/Fields.tsx';
import { Segmented } from '../../components/Segmented.tsx';

export type CorruptionChoice = { readonly kind: 'tokens' } | { readonly kind: 'noise'; readonly positions: string; readonly sigma: string; readonly seed: number };

/** "3, 5-7" → [3, 5, 6, 7]; null when the text is not a list of positions below `length`. */
export function parsePositions(text: string, length: number): number[] | null {
  const out = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    const single = /^\d+$/.test(part) ? Number(part) : null;
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (a > b) return null;
      for (let p = a; p <= b; p++) out.add(p);
    } else if (single !== null) out.add(single);
    else return null;
  }
  const list = [...out].sort((a, b) => a - b);
  return list.length > 0 && list.every((p) => p < length) ? list : null;
}

export function CorruptionFields({ value, onChange }: { value: CorruptionChoice; onChange: (v: CorruptionChoice) => void }) {
  const id = useId();
  const sigmaId = useId();
  return (
    <>
      <Segmented
        label="Corruption"
        value={value.kind}
        options={[
          { value: 'tokens', label: 'Corrupted prompt' },
          { value: 'noise', label: 'Embedding noise' },
        ]}
        onChange={(kind) => onChange(kind === 'tokens' ? { kind } : { kind, positions: '1', sigma: '', seed: 0 })}
      />
      {value.kind === 'noise' && (
        <>
          <div className="field field-sm">
            <label className="field-label" htmlFor={id}>
              Noised positions
            </label>
            <input id={id} className="input" value={value.positions} placeholder="e.g. 3, 5-7" onChange={(e) => onChange({ ...value, positions: e.currentTarget.value })} />
          </div>
          <div className="field field-sm">
            <label className="field-label" htmlFor={sigmaId}>
              Noise σ
            </label>
            <input id={sigmaId} className="input" value={value.sigma} placeholder="3 × embedding std" onChange={(e) => onChange({ ...value, sigma: e.currentTarget.value })} data-testid="noise-sigma" />
          </div>
          <NumberField label="Seed" value={value.seed} min={0} onChange={(seed) => onChange({ ...value, seed })} />
        </>
      )}
    </>
  );
}
