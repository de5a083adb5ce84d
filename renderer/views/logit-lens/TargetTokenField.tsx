/**
 * The logit lens's target: the next input token at every position, or one fixed token typed
 * as text (resolved to an id by the worker's tokenizer; the first token is used).
 */
import { useEffect, useState } from 'react';
import { useJob } from '../../app/use-job.ts';
import { Segmented } from '../../components/Segmented.tsx';
import { displayToken } from '../../prompt/token-display.ts';
import type { LensTarget } from '../../worker/contracts.ts';

export function TargetTokenField({ onChange }: { onChange: (target: LensTarget | null) => void }) {
  const [mode, setMode] = useState<'next' | 'token'>('next');
  const [text, setText] = useState(' Lily');
  const job = useJob('tokenize');
  const { run } = job;
  useEffect(() => {
    if (mode === 'next') {
      onChange({ kind: 'next' });
      return;
    }
    onChange(null);
    const timer = setTimeout(async () => {
      const result = await run({ text, prependBos: false });
      onChange(result && result.tokens.length > 0 ? { kind: 'token', id: result.tokens[0].id } : null);
    }, 150);
    return () => clearTimeout(timer);
  }, [mode, text, run, onChange]);
  const resolved = job.state.status === 'done' ? job.state.result.tokens : null;
  return (
    <>
      <Segmented
        label="Target"
        value={mode}
        options={[
          { value: 'next', label: 'Next input token' },
          { value: 'token', label: 'Fixed token' },
        ]}
        onChange={setMode}
      />
      {mode === 'token' && (
        <div className="field field-sm">
          <label className="field-label" htmlFor="lens-target-text">
            Token text
          </label>
          <input id="lens-target-text" className="input" value={text} onChange={(e) => setText(e.currentTarget.value)} />
          {resolved && (
            <span className="field-help">
              {resolved.length === 0
                ? 'no tokens'
                : `${displayToken(resolved[0].text)} (id ${resolved[0].id})${resolved.length > 1 ? ` — first of ${resolved.length} tokens` : ''}`}
            </span>
          )}
        </div>
      )}
    </>
  );
}
