/**
 * Attribution patching beside exact patching (analysis/methods/attribution-patching.ts): the
 * first-order estimate of the whole sweep from one backward pass, the exact sweep with the
 * same colour range, and one against the other with their correlation.
 */
import { useMemo, useState } from 'react';
import { Checkbox, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { scatter, symmetricRange } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { Grid } from '../../figures/patching.ts';
import { cellLabels, gridFigure, gridTable } from '../../figures/patching.ts';
import { positionLabel } from '../../prompt/token-display.ts';
import type { PatchHook } from '../../worker/method-contracts.ts';
import type { CorruptionChoice } from '../shared/CorruptionFields.tsx';
import { CorruptionFields } from '../shared/CorruptionFields.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption } from '../shared/MetricFields.tsx';
import { corruptionParams } from '../shared/use-corruption.ts';
import { usePairInput } from '../shared/use-pair-input.ts';
import { useViewJob } from '../shared/use-view-job.ts';
import { vocabFrom } from '../shared/vocab.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { PATCH_HOOK_OPTIONS } from '../patching/PatchingView.tsx';

export function AttributionView() {
  const pair = usePairInput();
  const job = useViewJob('attribution');
  const [hook, setHook] = useState<PatchHook>('resid_pre');
  const [byPosition, setByPosition] = useState(true);
  const [corruption, setCorruption] = useState<CorruptionChoice>({ kind: 'tokens' });
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const chosen = corruptionParams(corruption, pair);
  const r = job.result;
  // Both are M_patched − M_corrupt: the estimate and the exact value.
  const exactDelta = r?.exact ?? null;
  const figures = useMemo(() => {
    if (!r || !exactDelta) return null;
    const range = symmetricRange([...r.attribution, ...exactDelta]);
    const grid = (values: ArrayLike<number>): Grid => ({ axes: r.axes, shape: r.shape, values });
    return {
      attribution: gridFigure(grid(r.attribution), job.tokens, `Attribution patching (${r.hook})`, 'predicted change', range),
      exact: gridFigure(grid(exactDelta), job.tokens, `Exact patching (${r.hook})`, 'change', range),
      scatter: scatter({ x: Array.from(exactDelta), y: Array.from(r.attribution), labels: cellLabels(r.axes, r.shape, job.tokens), title: `Attribution vs exact (r = ${r.pearson?.toFixed(3) ?? 'n/a'})`, xTitle: 'exact change', yTitle: 'attribution' }),
    };
  }, [r, exactDelta, job.tokens]);
  const vocab = vocabFrom(r?.tokenTexts, job.tokens, pair.corrupted);
  return (
    <ViewLayout
      title="Attribution patching"
      description="The first-order estimate (a_clean − a_corrupt) · ∂M/∂a of every patch from one clean run, one corrupted run and one backward pass, beside exact patching. Where the path is linear they agree."
      onRun={() => {
        if (!pair.clean || !chosen.params) return;
        job.run({ clean: pair.clean.map((t) => t.id), corruption: chosen.params, hook, byPosition: byPosition && hook !== 'pattern', answer: metric.answer, wrong: metric.wrong, pos: metric.pos }, pair.clean);
      }}
      blocked={chosen.blocked ?? metricBlocked(metric)}
      running={job.running}
      runLabel="Estimate and compare"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <SelectField label="Activation" value={hook} options={PATCH_HOOK_OPTIONS} onChange={setHook} />
          <Checkbox label="Per position" checked={byPosition && hook !== 'pattern'} onChange={setByPosition} />
          <CorruptionFields value={corruption} onChange={setCorruption} />
          <MetricFields value={metric} onChange={setMetric} tokens={pair.clean} wrongAuto="top token on the corrupted prompt" />
        </>
      }
      testId="view-attribution"
    >
      {r && figures && exactDelta && job.params && (
        <>
          <DetailList items={[['Metric', metricCaption(vocab, r.answer, r.wrong, r.position)], ['Pearson r', r.pearson ?? NaN], ['Clean metric', r.cleanMetric], ['Corrupted metric', r.corruptedMetric]]} />
          <div className="figure-pair">
            {(['attribution', 'exact'] as const).map((k) => (
              <FigureCard
                key={k}
                title={k === 'attribution' ? 'Attribution (estimate)' : 'Exact patching'}
                spec={figures[k]}
                testId={`figure-${k}`}
                revision={job.runKey}
                exports={{
                  name: `attribution-${r.hook}-${k}`,
                  table: () => gridTable({ axes: r.axes, shape: r.shape, values: r.attribution }, job.tokens, [{ name: 'attribution', values: r.attribution }, { name: 'exact_change', values: exactDelta }]),
                  json: () => ({ analysis: 'attributionPatching', params: job.params, tokens: job.tokens, ...r }),
                }}
              />
            ))}
          </div>
          <FigureCard
            title="Attribution against exact"
            caption="one point per cell; the dotted line is y = x"
            spec={figures.scatter}
            testId="figure-attribution-scatter"
            revision={job.runKey}
            exports={{
              name: `attribution-${r.hook}-scatter`,
              table: () => ({ columns: ['cell', 'exact_change', 'attribution'], rows: cellLabels(r.axes, r.shape, job.tokens, positionLabel).map((c, i) => [c, exactDelta[i], r.attribution[i]]) }),
              json: () => ({ pearson: r.pearson, exact: exactDelta, attribution: r.attribution }),
            }}
          />
        </>
      )}
    </ViewLayout>
  );
}
