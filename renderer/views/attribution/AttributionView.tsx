/**
 * Attribution patching beside exact patching (registry method "attribution-patching", run by the
 * worker's `method` job): the first-order estimate of the whole sweep from one backward pass, the
 * exact sweep on the same colour scale, and one against the other with their correlation, all
 * the method's own views drawn by the one figure layer.
 */
import { useState } from 'react';
import type { PatchHook } from '../../../analysis/methods/patch-cells.ts';
import type { AttributionJson } from '../../../analysis/registry/attribution-patching.ts';
import { Checkbox, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import type { CorruptionChoice } from '../shared/CorruptionFields.tsx';
import { CorruptionFields } from '../shared/CorruptionFields.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption, metricParams } from '../shared/MetricFields.tsx';
import { corruptionParams } from '../shared/use-corruption.ts';
import { useMethodRun } from '../shared/use-method-run.ts';
import { usePairInput } from '../shared/use-pair-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { PATCH_HOOK_OPTIONS } from '../patching/PatchingView.tsx';

/** Figures side by side: half the width of one. */
const PAIR = { width: 520, height: 440 } as const;

export function AttributionView() {
  const pair = usePairInput();
  const run = useMethodRun<AttributionJson>('attribution-patching');
  const [hook, setHook] = useState<PatchHook>('resid_pre');
  const [byPosition, setByPosition] = useState(true);
  const [corruption, setCorruption] = useState<CorruptionChoice>({ kind: 'tokens' });
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const chosen = corruptionParams(corruption, pair);
  const params = chosen.params ? { ...chosen.params, hook, byPosition: byPosition && hook !== 'pattern', exact: true, ...metricParams(metric) } : null;
  const r = run.result;
  return (
    <ViewLayout
      title="Attribution patching"
      description="The first-order estimate (a_clean − a_corrupt) · ∂M/∂a of every patch from one clean run, one corrupted run and one backward pass, beside exact patching. Where the path is linear they agree."
      onRun={() => {
        if (!params || !pair.clean) return;
        run.run(params, { prompts: chosen.prompts, tokens: pair.clean });
      }}
      blocked={chosen.blocked ?? metricBlocked(metric) ?? (params && run.check(params))}
      running={run.running}
      runLabel="Estimate and compare"
      status={<JobStatus state={run.state} onCancel={run.cancel} />}
      params={
        <>
          <SelectField label="Activation" value={hook} options={PATCH_HOOK_OPTIONS} onChange={setHook} />
          <Checkbox label="Per position" checked={byPosition && hook !== 'pattern'} onChange={setByPosition} />
          <CorruptionFields value={corruption} onChange={setCorruption} />
          <MetricFields value={metric} onChange={setMetric} tokens={pair.clean} wrongAuto="top token on the corrupted prompt" />
        </>
      }
      ranWith={run.ranWith}
      ranSplice={run.ranSplice}
      testId="view-attribution"
    >
      {r && (
        <>
          <DetailList
            items={[
              ['Metric', metricCaption(r.answer, r.wrong, r.position)],
              ['Pearson r', r.pearson ?? NaN],
              ['Clean metric', r.cleanMetric ?? NaN],
              ['Corrupted metric', r.corruptedMetric ?? NaN],
            ]}
          />
          <div className="figure-pair">
            <MethodFigureCard run={run} result={r} view="attribution-by-head" options={PAIR} title="Attribution (estimate)" testId="figure-attribution" />
            <MethodFigureCard run={run} result={r} view="exact-by-head" options={PAIR} title="Exact patching" testId="figure-exact" />
          </div>
          <MethodFigureCard run={run} result={r} view="comparison" type="scatter" title="Attribution against exact" caption="one point per cell; the dotted line is y = x" testId="figure-attribution-scatter" />
        </>
      )}
    </ViewLayout>
  );
}
