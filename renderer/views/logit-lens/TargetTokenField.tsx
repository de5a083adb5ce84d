/**
 * The logit lens's target: the next input token at every position, or one fixed token typed
 * like every token input (an id, " token" or one token of text; shared/TokenPicker.tsx).
 */
import { useEffect, useState } from 'react';
import { Segmented } from '../../components/Segmented.tsx';
import { TokenPicker } from '../shared/TokenPicker.tsx';

/** The token the lens tracks at every position: the next input token, or one fixed token. */
export type LensTarget = { readonly kind: 'next' } | { readonly kind: 'token'; readonly id: number };

/** The target, or null with the reason it cannot be used yet. */
export type TargetChoice = { readonly target: LensTarget; readonly problem: null } | { readonly target: null; readonly problem: string };

export function TargetTokenField({ onChange }: { onChange: (choice: TargetChoice) => void }) {
  const [mode, setMode] = useState<'next' | 'token'>('next');
  const [fixed, setFixed] = useState<TargetChoice>({ target: null, problem: 'Target token: checking…' });
  useEffect(() => onChange(mode === 'next' ? { target: { kind: 'next' }, problem: null } : fixed), [mode, fixed, onChange]);
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
        <TokenPicker
          label="Target token"
          initialText="Lily"
          onChange={(id, problem) => setFixed(id === undefined ? { target: null, problem: problem ?? 'Target token: give a token' } : { target: { kind: 'token', id }, problem: null })}
          testId="lens-target-token"
        />
      )}
    </>
  );
}
