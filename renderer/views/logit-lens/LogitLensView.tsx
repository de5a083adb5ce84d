/**
 * Logit lens: what the residual stream would predict if decoded at each layer, per position;
 * colour by the target token's rank or probability, or the top-1 probability.
 */
import { useCallback, useMemo, useState } from 'react';
import { useJob } from '../../app/use-job.ts';
import { NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import type { Window } from '../../figures/downsample.ts';
import { windowFromRange } from '../../figures/downsample.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { LensColour } from '../../figures/logit-lens.ts';
import { logitLensFigure, logitLensTable } from '../../figures/logit-lens.ts';
import type { AxisRanges } from '../../figures/PlotlyFigure.tsx';
import type { TokenInfo } from '../../worker/contracts.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { sameIds, usePromptInput } from '../use-prompt-input.ts';
import type { TargetChoice } from './TargetTokenField.tsx';
import { TargetTokenField } from './TargetTokenField.tsx';

const COLOURS: { value: LensColour; label: string }[] = [
  { value: 'rank', label: 'Target rank' },
  { value: 'target-prob', label: 'Target prob.' },
  { value: 'top-prob', label: 'Top-1 prob.' },
];

export function LogitLensView() {
  const input = usePromptInput();
  const job = useJob('logitLens');
  const [topK, setTopK] = useState(5);
  const [{ target, problem: targetProblem }, setTarget] = useState<TargetChoice>({ target: { kind: 'next' }, problem: null });
  const [colour, setColour] = useState<LensColour>('rank');
  const [window, setWindow] = useState<Window | null>(null);
  const done = job.state.status === 'done' ? job.state : null;
  const result = done?.result ?? null;
  // The tokens of the prompt as it was run (the editor may have moved on since).
  const [tokens, setTokens] = useState<readonly TokenInfo[]>([]);
  const spec = useMemo(() => (result ? logitLensFigure(result, tokens, colour, window ?? undefined) : null), [result, tokens, colour, window]);
  const stale = done !== null && !sameIds(input.ids, done.params.ids);
  const onTarget = useCallback((t: TargetChoice) => setTarget(t), []);

  const run = () => {
    if (!input.ids || !target) return;
    setWindow(null);
    setTokens(input.tokens ?? []);
    void job.run({ ids: input.ids, topK, target });
  };
  const onZoom = (ranges: AxisRanges) => {
    if (!result) return;
    const [c0, c1] = windowFromRange(ranges.x, result.pos);
    setWindow(ranges.x === null ? null : { r0: 0, r1: result.rowLabels.length, c0, c1 });
  };

  return (
    <ViewLayout
      title="Logit lens"
      description="The residual stream before each layer (and after the last), decoded through the final norm and the unembedding. Hover a cell for its top tokens."
      onRun={run}
      blocked={input.blocked ?? targetProblem}
      running={job.state.status === 'running'}
      runLabel="Run logit lens"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <TargetTokenField onChange={onTarget} />
          <NumberField label="Top k" value={topK} min={1} max={20} onChange={setTopK} />
          <Segmented label="Colour" value={colour} options={COLOURS} onChange={setColour} />
        </>
      }
      testId="view-logit-lens"
    >
      {stale && <Message tone="info">The prompt changed since this lens was computed. Run again to update.</Message>}
      {result && spec && done && (
        <FigureCard
          title="Logit lens"
          caption={`${result.rowLabels.length} layers × ${result.pos} positions · ${done.params.target.kind === 'next' ? 'target: next input token' : `target: token ${done.params.target.id}`}`}
          spec={spec}
          height={Math.max(360, 34 * result.rowLabels.length + 200)}
          onZoom={onZoom}
          testId="figure-logit-lens"
          revision={`lens-${done.elapsedMs}-${colour}`}
          exports={{
            name: 'logit-lens',
            table: () => logitLensTable(result, tokens),
            json: () => ({ analysis: 'logitLens', params: done.params, axes: { topIds: ['layer', 'pos', 'k'], targetRanks: ['layer', 'pos'] }, tokens, ...result }),
          }}
        />
      )}
    </ViewLayout>
  );
}
