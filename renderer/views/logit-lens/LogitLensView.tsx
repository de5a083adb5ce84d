/**
 * Logit lens (registry method "logit-lens"): what the residual stream would predict if decoded at
 * each layer, per position, as the method's layer × position maps drawn by the figure layer —
 * coloured by the tracked token's rank or probability (the next input token, or a fixed token),
 * or by the top-1 probability; the top-1 token in each cell, the top tokens on hover.
 */
import { useCallback, useState } from 'react';
import { NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { sameIds, usePromptInput } from '../use-prompt-input.ts';
import type { TargetChoice } from './TargetTokenField.tsx';
import { TargetTokenField } from './TargetTokenField.tsx';

/** The colourings: each a view of the method's result. */
type LensColour = 'rank-map' | 'prob-map' | 'top1';

const COLOURS: { value: LensColour; label: string }[] = [
  { value: 'rank-map', label: 'Target rank' },
  { value: 'prob-map', label: 'Target prob.' },
  { value: 'top1', label: 'Top-1 prob.' },
];

/** The parts of the method's result (analysis/registry/logit-lens.ts) the view reads besides its views. */
interface LensJson {
  readonly ids: readonly number[];
  readonly layers: readonly string[];
  readonly positions: readonly number[];
  readonly targets: readonly { readonly id: number; readonly token: string }[];
}

export function LogitLensView() {
  const input = usePromptInput();
  const job = useMethodRun('logit-lens');
  const [topK, setTopK] = useState(5);
  const [{ target, problem: targetProblem }, setTarget] = useState<TargetChoice>({ target: { kind: 'next' }, problem: null });
  const [colour, setColour] = useState<LensColour>('rank-map');
  const r = job.result as unknown as LensJson | null;
  const stale = r !== null && !sameIds(input.ids, r.ids);
  const onTarget = useCallback((t: TargetChoice) => setTarget(t), []);
  const params = target?.kind === 'token' ? { prompt: 0, topK, targets: [target.id] } : { prompt: 0, topK, nextToken: true };

  const run = () => {
    if (!input.ids || !target) return;
    job.run(params, { prompts: [{ ids: input.ids }], tokens: input.tokens ?? [] });
  };

  return (
    <ViewLayout
      title="Logit lens"
      description="The residual stream before each layer (and after the last), decoded through the final norm and the unembedding. Hover a cell for its top tokens."
      onRun={run}
      blocked={input.blocked ?? targetProblem ?? job.check(params)}
      running={job.running}
      runLabel="Run logit lens"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <TargetTokenField onChange={onTarget} />
          <NumberField label="Top k" value={topK} min={1} max={20} onChange={setTopK} />
          <Segmented label="Colour" value={colour} options={COLOURS} onChange={setColour} />
        </>
      }
      ranWith={job.ranWith}
      ranSplice={job.ranSplice}
      testId="view-logit-lens"
    >
      {stale && <Message tone="info">The prompt changed since this lens was computed. Run again to update.</Message>}
      {r && (
        <MethodFigureCard
          run={job}
          result={job.result!}
          view={colour}
          type="heatmap"
          options={{ width: 1040, height: Math.max(360, 34 * r.layers.length + 220) }}
          title="Logit lens"
          caption={`${r.layers.length} layers × ${r.positions.length} positions · ${r.targets.length ? `target: token ${r.targets[0].id}` : 'target: next input token'}`}
          testId="figure-logit-lens"
          exportName="logit-lens"
        />
      )}
    </ViewLayout>
  );
}
