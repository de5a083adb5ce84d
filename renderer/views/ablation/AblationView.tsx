/**
 * Head ablation sweep beside DLA (registry method "head-ablation", run by the worker's `method`
 * job): every head ablated alone, as a [layer × head] grid of the chosen quantity (the method's
 * views, drawn by the one figure layer); click a head to ablate it alone ("ablate-heads") and see
 * the tokens whose logits moved.
 */
import { useState } from 'react';
import type { AblationJson } from '../../../analysis/registry/head-ablation.ts';
import { usePrompt } from '../../app/prompt-state.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { SelectField } from '../../components/Fields.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption, metricParams } from '../shared/MetricFields.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';
import { usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import type { AblationMode } from './HeadAblationDetail.tsx';
import { HeadAblationDetail } from './HeadAblationDetail.tsx';

/** The sweep's grids (the method's view names) the view offers. */
type Quantity = 'total-effect' | 'direct-effect' | 'self-repair' | 'dla' | 'kl' | 'loss';

const QUANTITIES: { value: Quantity; label: string }[] = [
  { value: 'total-effect', label: 'Total effect' },
  { value: 'direct-effect', label: 'Direct effect' },
  { value: 'self-repair', label: 'Self-repair' },
  { value: 'dla', label: 'DLA' },
  { value: 'kl', label: 'KL' },
  { value: 'loss', label: 'Loss' },
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
  const run = useMethodRun<AblationJson>('head-ablation');
  const [mode, setMode] = useState<AblationMode>('zero');
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [quantity, setQuantity] = useState<Quantity>('total-effect');
  const [selected, setSelected] = useState<{ x: number; y: number } | null>(null);
  const r = run.result;
  const resampleIds = corrupted.tokens?.map((t) => t.id);
  const resample = mode === 'resample';
  const params = { prompt: 0, mode, ...metricParams(metric), ...(resample ? { resampleFrom: 1 } : {}) };
  const blocked = input.blocked ?? (resample && (!pairMode || !resampleIds) ? 'Resampling reads the corrupted prompt: turn it on above.' : null) ?? metricBlocked(metric) ?? run.check(params);
  return (
    <ViewLayout
      title="Head ablation"
      description="Every head ablated alone. Total effect = ablated − clean metric; direct effect = the change through the head's own path; self-repair = their difference. Click a head for details."
      onRun={() => {
        if (!input.ids) return;
        setSelected(null);
        run.run(params, { prompts: [{ ids: input.ids }, ...(resample && resampleIds ? [{ ids: resampleIds }] : [])], tokens: input.tokens ?? [] });
      }}
      blocked={blocked}
      running={run.running}
      runLabel="Ablate every head"
      status={<JobStatus state={run.state} onCancel={run.cancel} />}
      params={
        <>
          <SelectField label="Ablation" value={mode} options={MODES} onChange={setMode} width="md" />
          <MetricFields value={metric} onChange={setMetric} tokens={input.tokens} wrongAuto="none (logit of the answer)" />
        </>
      }
      ranWith={run.ranWith}
      ranSplice={run.ranSplice}
      testId="view-ablation"
    >
      {resample && !pairMode && <Message tone="info">Resample ablation takes each head's activation from the corrupted prompt.</Message>}
      {r && run.prompts && (
        <div className="figure-stack">
          <Segmented label="Show" value={quantity} options={QUANTITIES} onChange={setQuantity} />
          <MethodFigureCard
            run={run}
            result={r}
            view={quantity}
            title="Ablation sweep"
            caption={`${r.mode} ablation · ${metricCaption(r.answer, r.wrong, r.position)} · clean metric ${r.clean.metric?.toFixed(3) ?? '—'}`}
            onCell={(c) => setSelected({ x: c.x, y: c.y })}
            frame={selected}
            testId="figure-ablation"
          />
          {selected && <HeadAblationDetail key={`${run.runKey}-${selected.y}-${selected.x}`} sweep={r} prompts={run.prompts} layer={r.layers[selected.y]} head={selected.x} />}
        </div>
      )}
    </ViewLayout>
  );
}
