/** One head's attention pattern on a given token sequence (drill-down of the head scores). */
import { useEffect, useMemo } from 'react';
import { useJob } from '../../app/use-job.ts';
import { JobStatus } from '../../components/JobStatus.tsx';
import { headPattern, headPatternFigure, headPatternTable } from '../../figures/attention.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';

export function HeadOnSequence({ ids, texts, head }: { ids: readonly number[]; texts: readonly string[]; head: { layer: number; head: number } }) {
  const job = useJob('attention');
  const { run } = job;
  useEffect(() => {
    void run({ ids });
  }, [run, ids]);
  const tokens = useMemo(() => ids.map((id, i) => ({ id, text: texts[i] ?? `#${id}`, special: false })), [ids, texts]);
  const r = job.state.status === 'done' ? job.state.result : null;
  const spec = useMemo(() => (r ? headPatternFigure(r, tokens, head.layer, head.head) : null), [r, tokens, head]);
  if (!r || !spec) return <JobStatus state={job.state} onCancel={job.cancel} />;
  return (
    <FigureCard
      title={`L${head.layer}H${head.head} on the first random sequence`}
      caption="repeated halves: induction heads attend one after the earlier copy of the current token"
      spec={spec}
      height={Math.min(720, 14 * ids.length + 180)}
      testId="figure-head-scores-pattern"
      exports={{
        name: `head-scores-L${head.layer}H${head.head}-pattern`,
        table: () => headPatternTable(r, tokens, head.layer, head.head),
        json: () => ({ layer: head.layer, head: head.head, ids, pattern: headPattern(r, head.layer, head.head) }),
      }}
    />
  );
}
