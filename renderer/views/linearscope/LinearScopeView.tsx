/**
 * LinearScope (analysis/methods/linearscope.ts): the run's nonlinearities frozen, the model is
 * an affine map of its input; the metric splits exactly into source position × component
 * contributions plus a bias. Click a position to decode the pulled-back direction there.
 */
import { useMemo, useState } from 'react';
import { NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { bars, cellOf, heatmap } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import { positionTokenLabel } from '../../../analysis/formats/token-label.ts';
import { displayToken } from '../../prompt/token-display.ts';
import type { LinearScopeMode } from '../../worker/method-contracts.ts';
import { DecodedDirectionCard } from '../shared/DecodedDirectionCard.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption } from '../shared/MetricFields.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { vocabFrom } from '../shared/vocab.ts';
import { usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';

export function LinearScopeView() {
  const input = usePromptInput();
  const job = useViewJob('linearScope');
  const [mode, setMode] = useState<LinearScopeMode>('secant');
  const [topK, setTopK] = useState(8);
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [pos, setPos] = useState<number | null>(null);
  const r = job.result;
  const labels = useMemo(() => (r ? r.ids.map((_, j) => positionTokenLabel(j, job.tokens[j]?.text ?? '', 8)) : []), [r, job.tokens]);
  const figures = useMemo(() => {
    if (!r) return null;
    // grid is [pos][component]; drawn with components as rows.
    const z = r.components.map((_, c) => r.grid.map((row) => row[c]));
    return {
      grid: heatmap({ z, x: labels, y: r.components, title: 'Contributions by source position and component', xTitle: 'source position', yTitle: 'component', valueLabel: 'contribution', scale: 'diverging', height: Math.max(360, 16 * r.components.length + 200) }),
      perPosition: bars({ labels, values: r.perPosition, title: 'By source position', valueLabel: 'contribution' }),
    };
  }, [r, labels]);
  const vocab = vocabFrom(r?.tokenTexts, job.tokens);
  const shown = r ? (pos ?? r.position) : 0;
  const decoded = r?.decoded.find((d) => d.pos === shown) ?? null;
  return (
    <ViewLayout
      title="LinearScope"
      description="Nonlinearities frozen at this run (secant gains: exact; tangent: the local Jacobian), the metric is a sum over source positions and components plus a bias; the adjoint pulls the metric's direction back to the input."
      onRun={() => {
        if (!input.ids) return;
        setPos(null);
        job.run({ ids: input.ids, mode, decodeTopK: topK, answer: metric.answer, wrong: metric.wrong, pos: metric.pos }, input.tokens ?? []);
      }}
      blocked={input.blocked ?? metricBlocked(metric)}
      running={job.running}
      runLabel="Decompose"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <Segmented label="Gains" value={mode} options={[{ value: 'secant', label: 'Secant (exact)' }, { value: 'tangent', label: 'Tangent (Jacobian)' }]} onChange={setMode} />
          <MetricFields value={metric} onChange={setMetric} tokens={input.tokens} wrongAuto="none (logit of the answer)" />
          <NumberField label="Decode tokens" value={topK} min={1} max={30} onChange={setTopK} />
        </>
      }
      testId="view-linearscope"
    >
      {r && figures && job.params && (
        <>
          <DetailList
            items={[
              ['Metric', metricCaption(vocab, r.target, r.wrong, r.position)],
              ['Network', r.logit],
              ['Linear replay', r.replay],
              ['Bias F(0)', r.bias],
              ['Σ contributions', r.perPosition.reduce((a, v) => a + v, 0)],
            ]}
          />
          <div className="figure-stack">
            <FigureCard
              title="Position × component"
              caption={`${r.mode} gains · click a position to decode the pulled-back direction`}
              spec={figures.grid}
              onClick={(p) => {
                const c = cellOf(p, { x: labels, y: r.components });
                if (c) setPos(c.col);
              }}
              testId="figure-linearscope"
              revision={job.runKey}
              exports={{
                name: `linearscope-${r.mode}`,
                table: () => ({ columns: ['pos', 'token', 'component', 'contribution'], rows: r.grid.flatMap((row, j) => row.map((v, c) => [j, job.tokens[j]?.text ?? '', r.components[c], v])) }),
                json: () => ({ analysis: 'linearScope', params: job.params, axes: { grid: ['pos', 'component'] }, ...r }),
              }}
            />
            <FigureCard
              title="By source position"
              spec={figures.perPosition}
              onClick={(p) => {
                const j = labels.indexOf(String(p.x));
                if (j >= 0) setPos(j);
              }}
              revision={job.runKey}
              exports={{ name: `linearscope-${r.mode}-positions`, table: () => ({ columns: ['pos', 'token', 'contribution'], rows: r.perPosition.map((v, j) => [j, job.tokens[j]?.text ?? '', v]) }), json: () => ({ perPosition: r.perPosition, biasTerms: r.biasTerms }) }}
            />
            {decoded && <DecodedDirectionCard title={`Pull-back at position ${shown} ${displayToken(job.tokens[shown]?.text ?? '')}`} subtitle="W_U · (Aᵀv) at the input: what this position's input pushes the metric towards" decoded={decoded} />}
          </div>
        </>
      )}
    </ViewLayout>
  );
}
