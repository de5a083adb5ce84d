/**
 * Activation patching (registry method "activation-patching", run by the worker's `method` job):
 * patch one activation slice from the source run into the base run, for every cell of the chosen
 * sweep; the grid (the method's by-head view: a [layer, pos, head] sweep as layer × head) shows
 * the normalised metric (1 = clean behaviour restored). Click a cell to drill down.
 */
import { useState } from 'react';
import type { PatchHook } from '../../../analysis/methods/patch-cells.ts';
import type { PatchingJson } from '../../../analysis/registry/patching.ts';
import { Checkbox, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import type { CorruptionChoice } from '../shared/CorruptionFields.tsx';
import { CorruptionFields } from '../shared/CorruptionFields.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption, metricParams } from '../shared/MetricFields.tsx';
import { corruptionParams } from '../shared/use-corruption.ts';
import { useMethodRun } from '../shared/use-method-run.ts';
import { usePairInput } from '../shared/use-pair-input.ts';
import { openedOptions, SAE_CHOICES, useOpenedDictionaries } from '../dictionaries/dictionary-choice.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { PatchCellDetail } from './PatchCellDetail.tsx';

export const PATCH_HOOK_OPTIONS: { value: PatchHook; label: string }[] = [
  { value: 'resid_pre', label: 'resid_pre' },
  { value: 'resid_mid', label: 'resid_mid' },
  { value: 'resid_post', label: 'resid_post' },
  { value: 'attn_out', label: 'attn_out' },
  { value: 'mlp_out', label: 'mlp_out' },
  { value: 'z', label: 'z (head output)' },
  { value: 'q', label: 'q' },
  { value: 'k', label: 'k' },
  { value: 'v', label: 'v' },
  { value: 'pattern', label: 'pattern' },
  { value: 'features', label: 'SAE features' },
];

type Show = 'normalized' | 'metric';

export function PatchingView() {
  const pair = usePairInput();
  const run = useMethodRun<PatchingJson>('activation-patching');
  const [hook, setHook] = useState<PatchHook>('resid_pre');
  const [byPosition, setByPosition] = useState(true);
  const [direction, setDirection] = useState<'denoising' | 'noising'>('denoising');
  const [corruption, setCorruption] = useState<CorruptionChoice>({ kind: 'tokens' });
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [show, setShow] = useState<Show>('normalized');
  const [cell, setCell] = useState<{ x: number; y: number } | null>(null);
  // hook "features": every feature of one dictionary (and its error term) is a cell; the
  // dictionary is spliced with its error term, so the runs themselves are unchanged.
  const dictionaryOptions = dictionaryRefs(useOpenedDictionaries());
  const [dictionary, setDictionary] = useState(dictionaryOptions[0].value);
  const chosen = corruptionParams(corruption, pair);
  const params = chosen.params
    ? {
        ...chosen.params,
        hook,
        byPosition: byPosition && hook !== 'pattern',
        direction,
        ...metricParams(metric),
        ...(hook === 'features' ? { dictionaries: [dictionary] } : {}),
      }
    : null;
  const r = run.result;
  return (
    <ViewLayout
      title="Activation patching"
      description="Denoising: run the corrupted prompt and patch in one slice of the clean run's activations; noising: the reverse. 1 = the clean metric fully restored, 0 = no effect."
      onRun={() => {
        if (!params || !pair.clean) return;
        setCell(null);
        run.run(params, { prompts: chosen.prompts, tokens: pair.clean });
      }}
      blocked={chosen.blocked ?? metricBlocked(metric) ?? (params && run.check(params))}
      running={run.running}
      runLabel="Run sweep"
      status={<JobStatus state={run.state} onCancel={run.cancel} />}
      params={
        <>
          <SelectField label="Activation" value={hook} options={PATCH_HOOK_OPTIONS} onChange={setHook} testId="patch-hook" />
 {hook === 'features' && <SelectField label="Dictionary" value={dictionary} options={dictionaryOptions} onChange={setDictionary} width="md" testId="patch-dictionary" />}
          <Checkbox label="Per position" checked={byPosition && hook !== 'pattern'} onChange={setByPosition} />
          <Segmented label="Direction" value={direction} options={[{ value: 'denoising', label: 'Denoising' }, { value: 'noising', label: 'Noising' }]} onChange={setDirection} />
          <CorruptionFields value={corruption} onChange={setCorruption} />
          <MetricFields value={metric} onChange={setMetric} tokens={pair.clean} wrongAuto="top token on the corrupted prompt" />
        </>
      }
      ranWith={run.ranWith}
      ranSplice={run.ranSplice}
      testId="view-patching"
    >
      {r && (
        <div className="figure-stack">
          <Segmented label="Show" value={show} options={[{ value: 'normalized', label: 'Normalised' }, { value: 'metric', label: 'Raw metric' }]} onChange={setShow} />
          <MethodFigureCard
            run={run}
            result={r}
            view={`${show}-by-head`}
            title="Patching sweep"
            caption={`${metricCaption(r.answer, r.wrong, r.position)} · clean ${r.cleanMetric?.toFixed(3) ?? '—'} · corrupted ${r.corruptedMetric?.toFixed(3) ?? '—'} · ${r.patchedCalls} patched passes`}
            onCell={(c) => setCell({ x: c.x, y: c.y })}
            frame={cell}
            testId="figure-patching"
          />
          {cell && <PatchCellDetail run={run} result={r} cell={cell} view={show} />}
        </div>
      )}
    </ViewLayout>
  );
}

/**
 * The dictionaries a feature sweep can read through: the built-in SAEs, and every folder opened
 * this session (all of its dictionaries). Cross-layer transcoders are left out: feature patching
 * covers per-layer dictionaries only (analysis/methods/feature-patch-cells.ts).
 */
function dictionaryRefs(opened: ReturnType<typeof useOpenedDictionaries>): { value: string; label: string }[] {
  const folders = new Map(openedOptions(opened).filter((o) => !o.crossLayer).map((o) => [o.dictionary, o.label.split(' · ')[0]]));
  return [...SAE_CHOICES.map((c) => ({ value: c.dictionary, label: c.label })), ...[...folders].map(([value, label]) => ({ value, label }))];
}
