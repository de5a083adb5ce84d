/**
 * Head ablation sweep beside DLA (analysis/methods/ablation-sweep.ts): every head ablated alone,
 * as a [layer × head] grid of the chosen quantity; click a head for its details and the tokens
 * whose probability moved.
 */
import { useMemo, useState } from 'react';
import { usePrompt } from '../../app/prompt-state.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { SelectField } from '../../components/Fields.tsx';
import { cellOf, headGrid } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { AblationMode, AblationSweepJobResult } from '../../worker/method-contracts.ts';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption } from '../shared/MetricFields.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { vocabFrom } from '../shared/vocab.ts';
import { usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { HeadAblationDetail } from './HeadAblationDetail.tsx';

type Quantity = 'totalEffect' | 'directEffect' | 'selfRepair' | 'dla' | 'kl' | 'loss';

const QUANTITIES: { value: Quantity; label: string; signed: boolean }[] = [
  { value: 'totalEffect', label: 'Total effect', signed: true },
  { value: 'directEffect', label: 'Direct effect', signed: true },
  { value: 'selfRepair', label: 'Self-repair', signed: true },
  { value: 'dla', label: 'DLA', signed: true },
  { value: 'kl', label: 'KL', signed: false },
  { value: 'loss', label: 'Loss', signed: false },
];

const MODES: { value: AblationMode; label: string }[] = [
  { value: 'zero', label: 'Zero' },
  { value: 'mean', label: 'Mean' },
  { value: 'resample', label: 'Resample (corrupted prompt)' },
  { value: 'uniform', label: 'Uniform attention' },
];

export function AblationView() {
  const input = usePromptInput();
  const { corrupted, pairMode } = usePrompt();
  const job = useViewJob('ablationSweep');
  const [mode, setMode] = useState<AblationMode>('zero');
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [quantity, setQuantity] = useState<Quantity>('totalEffect');
  const [selected, setSelected] = useState<{ layer: number; head: number } | null>(null);
  const r: AblationSweepJobResult | null = job.result;
  const q = QUANTITIES.find((x) => x.value === quantity)!;
  const resampleIds = corrupted.tokens?.map((t) => t.id);
  const blocked = input.blocked ?? (mode === 'resample' && (!pairMode || !resampleIds) ? 'Resampling reads the corrupted prompt: turn it on above.' : null) ?? metricBlocked(metric);
  const grid = useMemo(
    () => (r ? headGrid({ z: r[quantity], title: `${q.label} of ablating each head`, valueLabel: q.label, scale: q.signed ? 'diverging' : 'sequential', selectedHead: selected }) : null),
    [r, quantity, q, selected],
  );
  const vocab = vocabFrom(r?.tokenTexts, job.tokens);
  return (
    <ViewLayout
      title="Head ablation"
      description="Every head ablated alone. Total effect = ablated − clean metric; direct effect = the change through the head's own path; self-repair = their difference. Click a head for details."
      onRun={() => {
        if (!input.ids) return;
        setSelected(null);
        job.run({ ids: input.ids, mode, answer: metric.answer, wrong: metric.wrong, pos: metric.pos, resampleIds: mode === 'resample' ? resampleIds : undefined }, input.tokens ?? []);
      }}
      blocked={blocked}
      running={job.running}
      runLabel="Ablate every head"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <SelectField label="Ablation" value={mode} options={MODES} onChange={setMode} width="md" />
          <MetricFields value={metric} onChange={setMetric} tokens={input.tokens} wrongAuto="none (logit of the answer)" />
        </>
      }
      testId="view-ablation"
    >
      {mode === 'resample' && !pairMode && <Message tone="info">Resample ablation takes each head's activation from the corrupted prompt.</Message>}
      {r && grid && job.params && (
        <div className="figure-stack">
          <Segmented label="Show" value={quantity} options={QUANTITIES} onChange={setQuantity} />
          <FigureCard
            title="Ablation sweep"
            caption={`${r.mode} ablation · ${metricCaption(vocab, r.answer, r.wrong, r.pos)} · clean metric ${r.clean.metric.toFixed(3)}`}
            spec={grid}
            onClick={(p) => {
              const cell = cellOf(p, { x: r.totalEffect[0].map((_, h) => `H${h}`), y: r.layers.map((l) => `L${l}`) });
              if (cell) setSelected({ layer: r.layers[cell.row], head: cell.col });
            }}
            testId="figure-ablation"
            revision={`${job.runKey}-${quantity}`}
            exports={{
              name: `ablation-${r.mode}-${quantity}`,
              table: () => ({
                columns: ['layer', 'head', 'metric', 'total_effect', 'direct_effect', 'self_repair', 'dla', 'kl', 'loss'],
                rows: r.layers.flatMap((l, li) => r.metric[li].map((m, h) => [l, h, m, r.totalEffect[li][h], r.directEffect[li][h], r.selfRepair[li][h], r.dla[li][h], r.kl[li][h], r.loss[li][h]])),
              }),
              json: () => ({ analysis: 'ablationSweep', params: job.params, axes: ['layer', 'head'], ...r }),
            }}
          />
          {selected && <HeadAblationDetail key={`${job.runKey}-${selected.layer}-${selected.head}`} sweep={r} params={job.params} head={selected} />}
        </div>
      )}
    </ViewLayout>
  );
}
