/** Sampling parameters for generation. */
import { NumberField } from '../../components/Fields.tsx';
import type { SamplingParams } from '../../worker/contracts.ts';

export function SamplingControls({ value, onChange, nCtx }: { value: SamplingParams; onChange: (v: SamplingParams) => void; nCtx: number }) {
  const set = <K extends keyof SamplingParams>(key: K) => (v: SamplingParams[K]) => onChange({ ...value, [key]: v });
  return (
    <div className="param-row">
      <NumberField label="Temperature" value={value.temperature} min={0} max={5} step={0.1} onChange={set('temperature')} hint="0 = greedy" />
      <NumberField label="Top k" value={value.topK} min={0} max={1000} onChange={set('topK')} hint="0 = no cut" />
      <NumberField label="Top p" value={value.topP} min={0.01} max={1} step={0.05} onChange={set('topP')} hint="1 = no nucleus cut" />
      <NumberField label="Seed" value={value.seed} min={0} max={2 ** 31 - 1} onChange={set('seed')} />
      <NumberField label="Max tokens" value={value.maxNewTokens} min={1} max={nCtx} onChange={set('maxNewTokens')} testId="max-tokens" />
    </div>
  );
}
