/**
 * Attention patterns: every head of every layer as a grid of small multiples (click one to
 * open it), and the chosen head in full with both tokens on hover.
 */
import { useMemo, useState } from 'react';
import type { PlotDatum } from 'plotly.js-dist-min';
import { useJob } from '../../app/use-job.ts';
import { NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { gridHeadAt, gridPatternTable, headGridFigure, headPattern, headPatternFigure, headPatternTable } from '../../figures/attention.ts';
import type { Window } from '../../figures/downsample.ts';
import { windowFromRange } from '../../figures/downsample.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { AxisRanges } from '../../figures/PlotlyFigure.tsx';
import type { TokenInfo } from '../../worker/contracts.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { sameIds, usePromptInput } from '../use-prompt-input.ts';

export function AttentionView() {
  const input = usePromptInput();
  const job = useJob('attention');
  const [selected, setSelected] = useState({ layer: 0, head: 0 });
  const [window, setWindow] = useState<Window | null>(null);
  // The tokens of the prompt as it was run (the editor may have moved on since).
  const [resultTokens, setResultTokens] = useState<readonly TokenInfo[]>([]);
  const done = job.state.status === 'done' ? job.state : null;
  const result = done?.result ?? null;
  const stale = done !== null && !sameIds(input.ids, done.params.ids);

  const run = () => {
    if (!input.ids) return;
    setWindow(null);
    setResultTokens(input.tokens ?? []);
    void job.run({ ids: input.ids });
  };
  const layer = result ? Math.min(selected.layer, result.nLayers - 1) : 0;
  const head = result ? Math.min(selected.head, result.nHeads - 1) : 0;

  const grid = useMemo(() => (result ? headGridFigure(result, { layer, head }) : null), [result, layer, head]);
  const single = useMemo(
    () => (result ? headPatternFigure(result, resultTokens, layer, head, window ?? undefined) : null),
    [result, resultTokens, layer, head, window],
  );

  const onGridClick = (point: PlotDatum) => {
    if (!result) return;
    setSelected(gridHeadAt(result, point.curveNumber));
    setWindow(null);
  };
  const onZoom = (ranges: AxisRanges) => {
    if (!result) return;
    const [c0, c1] = windowFromRange(ranges.x, result.pos);
    const [r0, r1] = windowFromRange(ranges.y, result.pos);
    setWindow(ranges.x === null && ranges.y === null ? null : { r0, r1, c0, c1 });
  };

  return (
    <ViewLayout
      title="Attention patterns"
      description="Where each head's queries attend. The grid shows every head; click one to open it below (hover shows the query and key tokens, drag to zoom)."
      onRun={run}
      blocked={input.blocked}
      running={job.state.status === 'running'}
      runLabel="Compute patterns"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        result && (
          <>
            <NumberField label="Layer" value={layer} min={0} max={result.nLayers - 1} onChange={(l) => (setSelected({ layer: l, head }), setWindow(null))} testId="attention-layer" />
            <NumberField label="Head" value={head} min={0} max={result.nHeads - 1} onChange={(h) => (setSelected({ layer, head: h }), setWindow(null))} testId="attention-head" />
          </>
        )
      }
      testId="view-attention"
    >
      {stale && <Message tone="info">The prompt changed since these patterns were computed. Run again to update.</Message>}
      {result && grid && single && done && (
        <div className="figure-stack">
          <FigureCard
            title="All heads"
            caption={`${result.nLayers} layers × ${result.nHeads} heads · click a head`}
            spec={grid}
            onClick={onGridClick}
            scroll
            testId="figure-attention-grid"
            revision={`grid-${done.elapsedMs}`}
            exports={{
              name: 'attention-grid',
              table: () => gridPatternTable(result),
              json: () => ({ analysis: 'attention', params: done.params, axes: ['layer', 'head', 'pos', 'kvPos'], ...result }),
            }}
          />
          <FigureCard
            title={`Head L${layer}H${head}`}
            caption={`${result.pos} positions`}
            spec={single}
            height={Math.min(720, Math.max(420, 14 * result.pos + 160))}
            onZoom={onZoom}
            testId="figure-attention-head"
            revision={`head-${layer}-${head}-${done.elapsedMs}`}
            exports={{
              name: `attention-L${layer}H${head}`,
              table: () => headPatternTable(result, resultTokens, layer, head),
              json: () => ({ analysis: 'attention', params: done.params, layer, head, axes: ['pos', 'kvPos'], pattern: headPattern(result, layer, head), tokens: resultTokens }),
            }}
          />
        </div>
      )}
    </ViewLayout>
  );
}
