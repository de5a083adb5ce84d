/**
 * Direct logit attribution (registry method "dla", run by the worker's `method` job): each
 * component's direct contribution to the metric through the frozen final norm, as bars and as a
 * [layer × head] grid drawn by the one figure layer; with per-source on, click a head to see its
 * row of the "sources" view (which source positions it moved from).
 */
import { useState } from 'react';
import type { DlaJson } from '../../../analysis/registry/dla.ts';
import { Checkbox } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption, metricParams } from '../shared/MetricFields.tsx';
import { SliceFigureCard } from '../shared/SliceFigureCard.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';
import { sameIds, usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';

export function DlaView() {
  const input = usePromptInput();
  const run = useMethodRun<DlaJson>('dla');
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [perSource, setPerSource] = useState(true);
  const [head, setHead] = useState<{ x: number; y: number } | null>(null);
  const r = run.result;
  const params = { prompt: 0, ...metricParams(metric), perSource };
  const caption = r ? metricCaption(r.answer, r.wrong, r.position) : '';
  const nHeads = r?.heads[0]?.length ?? 0;

  return (
    <ViewLayout
      title="Direct logit attribution"
      description="How much each component writes directly towards the answer (minus the wrong token) at the chosen position, with the final norm's scale frozen. Components plus biases sum to the metric."
      onRun={() => {
        if (!input.ids) return;
        setHead(null);
        run.run(params, { prompts: [{ ids: input.ids }], tokens: input.tokens ?? [] });
      }}
      blocked={input.blocked ?? metricBlocked(metric) ?? run.check(params)}
      running={run.running}
      runLabel="Attribute"
      status={<JobStatus state={run.state} onCancel={run.cancel} />}
      params={
        <>
          <MetricFields value={metric} onChange={setMetric} tokens={input.tokens} wrongAuto="none (logit of the answer)" />
          <Checkbox label="Split heads by source position" checked={perSource} onChange={setPerSource} />
        </>
      }
      ranWith={run.ranWith}
      ranSplice={run.ranSplice}
      testId="view-dla"
    >
      {r && !sameIds(input.ids, r.ids) && <Message tone="info">The prompt changed since this attribution was computed.</Message>}
      {r && (
        <>
          <DetailList
            items={[
              ['Metric', caption],
              ['Value', r.metric ?? NaN],
              ['Σ components', r.total ?? NaN],
              ['Unembedding bias', r.unembedBias ?? NaN],
              ['Final norm scale', r.scale ?? NaN],
            ]}
          />
          <div className="figure-stack">
            <MethodFigureCard run={run} result={r} view="components" type="bar" title="Components" caption={caption} testId="figure-dla-bars" />
            <MethodFigureCard
              run={run}
              result={r}
              view="heads"
              title="Heads"
              caption={r.sources ? 'click a head to split it by source position' : caption}
              onCell={(cell) => setHead({ x: cell.x, y: cell.y })}
              frame={head}
              testId="figure-dla-heads"
            />
            {head && r.sources && (
              <SliceFigureCard
                run={run}
                result={r}
                view="sources"
                slice={{ row: head.y * nHeads + head.x }}
                title={`L${head.y}H${head.x} by source position`}
                caption="pattern[h, pos, j] · (v_j W_O · w), summing to the head's contribution"
                testId="figure-dla-sources"
              />
            )}
          </div>
        </>
      )}
    </ViewLayout>
  );
}
