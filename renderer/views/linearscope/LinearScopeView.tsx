/**
 * LinearScope (registry method "linearscope", run by the worker's `method` job): the run's
 * nonlinearities frozen, the model is an affine map of its input; the metric splits exactly into
 * source position × component contributions plus a bias (the method's views, drawn by the one
 * figure layer). Click a position to decode the pulled-back direction there.
 */
import { useState } from 'react';
import type { LinearScopeJson } from '../../../analysis/registry/linearscope.ts';
import { NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { displayToken } from '../../prompt/token-display.ts';
import { DecodedDirectionCard, decodedOfJson } from '../shared/DecodedDirectionCard.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption, metricParams } from '../shared/MetricFields.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';
import { usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';

export function LinearScopeView() {
  const input = usePromptInput();
  const run = useMethodRun<LinearScopeJson>('linearscope');
  const [mode, setMode] = useState<'secant' | 'tangent'>('secant');
  const [topK, setTopK] = useState(8);
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [pos, setPos] = useState<number | null>(null);
  const { answer, ...rest } = metricParams(metric);
  const params = { prompt: 0, mode, decodeTopK: topK, ...rest, ...(answer === undefined ? {} : { target: answer }) };
  const r = run.result;
  const shown = r ? (pos ?? r.position) : 0;
  const decoded = r?.decoded[shown] ?? null;
  return (
    <ViewLayout
      title="LinearScope"
      description="Nonlinearities frozen at this run (secant gains: exact; tangent: the local Jacobian), the metric is a sum over source positions and components plus a bias; the adjoint pulls the metric's direction back to the input."
      onRun={() => {
        if (!input.ids) return;
        setPos(null);
        run.run(params, { prompts: [{ ids: input.ids }], tokens: input.tokens ?? [] });
      }}
      blocked={input.blocked ?? metricBlocked(metric) ?? run.check(params)}
      running={run.running}
      runLabel="Decompose"
      status={<JobStatus state={run.state} onCancel={run.cancel} />}
      params={
        <>
          <Segmented label="Gains" value={mode} options={[{ value: 'secant', label: 'Secant (exact)' }, { value: 'tangent', label: 'Tangent (Jacobian)' }]} onChange={setMode} />
          <MetricFields value={metric} onChange={setMetric} tokens={input.tokens} wrongAuto="none (logit of the answer)" />
          <NumberField label="Decode tokens" value={topK} min={1} max={30} onChange={setTopK} />
        </>
      }
      ranWith={run.ranWith}
      ranSplice={run.ranSplice}
      testId="view-linearscope"
    >
      {r && (
        <>
          <DetailList
            items={[
              ['Metric', metricCaption(r.target, r.wrong, r.position)],
              ['Network', r.logit ?? NaN],
              ['Linear replay', r.replay ?? NaN],
              ['Bias F(0)', r.bias ?? NaN],
              ['Σ contributions', r.perPosition.reduce<number>((a, v) => a + (v ?? NaN), 0)],
            ]}
          />
          <div className="figure-stack">
            <MethodFigureCard
              run={run}
              result={r}
              view="contributions"
              title="Position × component"
              caption={`${r.mode} gains · click a position to decode the pulled-back direction`}
              onCell={(c) => setPos(c.y)}
              testId="figure-linearscope"
            />
            <MethodFigureCard run={run} result={r} view="per-position" type="bar" title="By source position" onCell={(c) => setPos(c.x)} testId="figure-linearscope-positions" />
            {decoded && (
              <DecodedDirectionCard
                title={`Pull-back at position ${shown} ${displayToken(r.tokens[shown] ?? '')}`}
                subtitle="W_U · (Aᵀv) at the input: what this position's input pushes the metric towards"
                decoded={decodedOfJson(decoded)}
              />
            )}
          </div>
        </>
      )}
    </ViewLayout>
  );
}
