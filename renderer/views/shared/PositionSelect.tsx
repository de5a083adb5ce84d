/** Chooses a token position of the prompt (default: the last). */
import { useId } from 'react';
import { displayToken } from '../../prompt/token-display.ts';
import type { TokenInfo } from '../../worker/contracts.ts';

export function PositionSelect({ label = 'Position', tokens, value, onChange }: { label?: string; tokens: readonly TokenInfo[] | null; value: number | undefined; onChange: (pos: number | undefined) => void }) {
  const id = useId();
  const n = tokens?.length ?? 0;
  return (
    <div className="field field-sm">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <select
        id={id}
        className="input select"
        value={value === undefined || value >= n ? 'last' : String(value)}
        onChange={(e) => onChange(e.currentTarget.value === 'last' ? undefined : Number(e.currentTarget.value))}
      >
        <option value="last">last{n > 0 ? ` (${n - 1} ${displayToken(tokens![n - 1].text)})` : ''}</option>
        {tokens?.slice(0, -1).map((t, i) => (
          <option key={i} value={i}>
            {i} {displayToken(t.text)}
          </option>
        ))}
      </select>
    </div>
  );
}
