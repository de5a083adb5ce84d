/**
 * Activation patching (analysis/methods/patching.ts): patch one activation slice from the
 * source run into the base run, for every cell of the chosen sweep; the grid shows the
 * normalised metric (1 = clean behaviour restored). Click a cell to drill down.
 */
import { useMemo, useState } from 'react';
import { Checkbox, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { cellOf } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { Grid } from '../../figures/patching.ts';
import { gridFigure, gridMatrix, gridTable } from '../../figures/patching.ts';
import type { PatchHook } from '../../worker/method-contracts.ts';
import type { CorruptionChoice } from '../shared/CorruptionFields.tsx';
import { CorruptionFields } from '../shared/CorruptionFields.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption } from '../shared/MetricFields.tsx';
import { corruptionParams } from '../shared/use-corruption.ts';
import { usePairInput } from '../shared/use-pair-input.ts';
import { useViewJob } from '../shared/use-view-job.ts';
import { vocabFrom } from '../shared/vocab.ts';
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
];

type Show = 'normalized' | 'metric';

export function PatchingView() {
  const pair = usePairInput();
  const job = useViewJob('patching');
  const [hook, setHook] = useState<PatchHook>('resid_pre');
  const [byPosition, setByPosition] = useState(true);
  const [direction, setDirection] = useState<'denoising' | 'noising'>('denoising');
  const [corruption, setCorruption] = useState<CorruptionChoice>({ kind: 'tokens' });
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [show, setShow] = useState<Show>('normalized');
  const [cell, setCell] = useState<{ row: number; col: number } | null>(null);
  const chosen = corruptionParams(corruption, pair);
  const r = job.result;
  const grid: Grid | null = useMemo(() => (r ? { axes: r.axes, shape: r.shape, values: show === 'normalized' ? r.normalized : r.metric } : null), [r, show]);
  const vocab = vocabFrom(r?.tokenTexts, job.tokens, pair.corrupted);
  const spec = useMemo(
    () => (grid && r ? gridFigure(grid, job.tokens, `Patching ${r.hook} (${r.direction})`, show === 'normalized' ? 'normalised metric' : 'metric') : null),
    [grid, r, show, job.tokens],
  );
  return (
    <ViewLayout
      title="Activation patching"
      description="Denoising: run the corrupted prompt and patch in one slice of the clean run's activations; noising: the reverse. 1 = the clean metric fully restored, 0 = no effect."
      onRun={() => {
        if (!pair.clean || !chosen.params) return;
        setCell(null);
        job.run({ clean: pair.clean.map((t) => t.id), corruption: chosen.params, hook, byPosition: byPosition && hook !== 'pattern', direction, answer: metric.answer, wrong: metric.wrong, pos: metric.pos }, pair.clean);
      }}
      blocked={chosen.blocked ?? metricBlocked(metric)}
      running={job.running}
      runLabel="Run sweep"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <SelectField label="Activation" value={hook} options={PATCH_HOOK_OPTIONS} onChange={setHook} testId="patch-hook" />
          <Checkbox label="Per position" checked={byPosition && hook !== 'pattern'} onChange={setByPosition} />
          <Segmented label="Direction" value={direction} options={[{ value: 'denoising', label: 'Denoising' }, { value: 'noising', label: 'Noising' }]} onChange={setDirection} />
          <CorruptionFields value={corruption} onChange={setCorruption} />
          <MetricFields value={metric} onChange={setMetric} tokens={pair.clean} wrongAuto="top token on the corrupted prompt" />
        </>
      }
      testId="view-patching"
    >
      {r && grid && spec && job.params && (
        <div className="figure-stack">
          <Segmented label="Show" value={show} options={[{ value: 'normalized', label: 'Normalised' }, { value: 'metric', label: 'Raw metric' }]} onChange={setShow} />
          <FigureCard
            title="Patching sweep"
            caption={`${metricCaption(vocab, r.answer, r.wrong, r.position)} · clean ${r.cleanMetric.toFixed(3)} · corrupted ${r.corruptedMetric.toFixed(3)} · ${r.patchedCalls} patched passes`}
            spec={spec}
            onClick={(p) => {
              const m = gridMatrix(grid, job.tokens);
              const c = cellOf(p, { x: m.x, y: m.z.map((_, l) => `L${l}`) });
              if (c) setCell(c);
            }}
            testId="figure-patching"
            revision={`${job.runKey}-${show}`}
            exports={{
              name: `patching-${r.hook}-${r.direction}`,
              table: () => gridTable(grid, job.tokens, [{ name: 'metric', values: r.metric }, { name: 'normalized', values: r.normalized }]),
              json: () => ({ analysis: 'activationPatching', params: job.params, tokens: job.tokens, ...r }),
            }}
          />
          {cell && <PatchCellDetail result={r} grid={grid} cell={cell} tokens={job.tokens} valueLabel={show === 'normalized' ? 'normalised metric' : 'metric'} />}
        </div>
      )}
    </ViewLayout>
  );
}
