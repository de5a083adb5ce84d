/**
 * One head's attention pattern on a given token sequence (drill-down of the head scores): the
 * registry method attention-patterns on that sequence, drawn by the figure layer.
 */
import { useEffect, useMemo } from 'react';
import { JobStatus } from '../../components/JobStatus.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';

export function HeadOnSequence({ ids, head }: { ids: readonly number[]; head: { layer: number; head: number } }) {
  const job = useMethodRun('attention-patterns');
  const { run } = job;
  useEffect(() => {
    run({ prompt: 0, layers: [head.layer], heads: [head.head] }, { prompts: [{ ids }] });
  }, [run, ids, head]);
  const options = useMemo(() => ({ width: 760, height: Math.min(760, Math.max(480, 16 * ids.length + 200)) }), [ids.length]);
  if (!job.result) return <JobStatus state={job.state} onCancel={job.cancel} />;
  return (
    <MethodFigureCard
      run={job}
      result={job.result}
      view="pattern"
      options={options}
      title={`L${head.layer}H${head.head} on the first random sequence`}
      caption="repeated halves: induction heads attend one after the earlier copy of the current token"
      testId="figure-head-scores-pattern"
      exportName={`head-scores-L${head.layer}H${head.head}-pattern`}
    />
  );
}
