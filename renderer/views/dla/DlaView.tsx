/**
 * Direct logit attribution: each component's direct contribution to the metric through the
 * frozen final norm (analysis/methods/dla.ts). Bars for every component, a [layer × head]
 * grid; with per-source on, click a head to see which source positions it moved from.
 */
import { useMemo, useState } from 'react';
import type { PlotDatum } from 'plotly.js-dist-min';
import { Checkbox } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { bars, cellOf, headGrid } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import { positionTokenLabel } from '../../../analysis/formats/token-label.ts';
import { DetailList } from '../shared/DetailList.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption } from '../shared/MetricFields.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { vocabFrom } from '../shared/vocab.ts';
import { sameIds, usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';

export function DlaView() {
  const input = usePromptInput();
  const job = useViewJob('dla');
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [perSource, setPerSource] = useState(true);
  const [head, setHead] = useState<{ layer: number; head: number } | null>(null);
  const r = job.result;
  const vocab = vocabFrom(r?.tokenTexts, job.tokens);
  const caption = r ? metricCaption(vocab, r.answer, r.wrong, r.pos) : '';

  const componentBars = useMemo(
    () => (r ? bars({ labels: r.components.map((c) => c.name), values: r.components.map((c) => c.value), title: 'Direct contributions to the metric', valueLabel: 'contribution' }) : null),
    [r],
  );
  const grid = useMemo(() => (r ? headGrid({ z: r.heads, title: 'Heads', valueLabel: 'DLA', scale: 'diverging', selectedHead: head }) : null), [r, head]);
  const sources = useMemo(() => {
    if (!r?.sources || !head) return null;
    const values = r.sources[head.layer][head.head];
    return bars({ labels: values.map((_, j) => positionTokenLabel(j, job.tokens[j]?.text ?? '')), values, title: `L${head.layer}H${head.head} by source position`, valueLabel: 'contribution' });
  }, [r, head, job.tokens]);

  return (
    <ViewLayout
      title="Direct logit attribution"
      description="How much each component writes directly towards the answer (minus the wrong token) at the chosen position, with the final norm's scale frozen. Components plus biases sum to the metric."
      onRun={() => {
        if (!input.ids) return;
        setHead(null);
        job.run({ ids: input.ids, answer: metric.answer, wrong: metric.wrong, pos: metric.pos, perSource }, input.tokens ?? []);
      }}
      blocked={input.blocked ?? metricBlocked(metric)}
      running={job.running}
      runLabel="Attribute"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <MetricFields value={metric} onChange={setMetric} tokens={input.tokens} wrongAuto="none (logit of the answer)" />
          <Checkbox label="Split heads by source position" checked={perSource} onChange={setPerSource} />
        </>
      }
      testId="view-dla"
    >
      {r && job.params && !sameIds(input.ids, job.params.ids) && <Message tone="info">The prompt changed since this attribution was computed.</Message>}
      {r && componentBars && grid && (
        <>
          <DetailList
            items={[
              ['Metric', caption],
              ['Value', r.metric],
              ['Σ components', r.total],
              ['Unembedding bias', r.unembedBias],
              ['Final norm scale', r.scale],
            ]}
          />
          <div className="figure-stack">
            <FigureCard
              title="Components"
              caption={caption}
              spec={componentBars}
              testId="figure-dla-bars"
              revision={job.runKey}
              exports={{
                name: 'dla-components',
                table: () => ({ columns: ['component', 'contribution'], rows: r.components.map((c) => [c.name, c.value]) }),
                json: () => ({ analysis: 'dla', params: job.params, ...r }),
              }}
            />
            <FigureCard
              title="Heads"
              caption={r.sources ? 'click a head to split it by source position' : caption}
              spec={grid}
              onClick={(p: PlotDatum) => {
                const cell = cellOf(p);
                if (cell) setHead({ layer: cell.row, head: cell.col });
              }}
              testId="figure-dla-heads"
              revision={job.runKey}
              exports={{
                name: 'dla-heads',
                table: () => ({ columns: ['layer', 'head', 'contribution'], rows: r.heads.flatMap((row, l) => row.map((v, h) => [l, h, v])) }),
                json: () => ({ analysis: 'dla', params: job.params, axes: ['layer', 'head'], heads: r.heads }),
              }}
            />
            {sources && head && r.sources && (
              <FigureCard
                title={`L${head.layer}H${head.head} by source position`}
                caption="pattern[h, pos, j] · (v_j W_O · w), summing to the head's contribution"
                spec={sources}
                testId="figure-dla-sources"
                revision={`${job.runKey}-${head.layer}-${head.head}`}
                exports={{
                  name: `dla-L${head.layer}H${head.head}-sources`,
                  table: () => ({ columns: ['source_pos', 'token', 'contribution'], rows: r.sources![head.layer][head.head].map((v, j) => [j, job.tokens[j]?.text ?? '', v]) }),
                  json: () => ({ analysis: 'dla', layer: head.layer, head: head.head, axes: ['sourcePos'], sources: r.sources![head.layer][head.head] }),
                }}
              />
            )}
          </div>
        </>
      )}
    </ViewLayout>
  );
}
