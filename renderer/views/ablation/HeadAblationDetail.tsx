/** Drill-down of one ablated head: its numbers and the next-token distribution before/after. */
import { useEffect } from 'react';
import { useJob } from '../../app/use-job.ts';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Panel } from '../../components/Panel.tsx';
import { displayToken } from '../../prompt/token-display.ts';
import type { AblationParams, AblationSweepJobResult, TokenDelta } from '../../worker/method-contracts.ts';
import { DetailList } from '../shared/DetailList.tsx';

function DeltaTable({ title, rows }: { title: string; rows: readonly TokenDelta[] }) {
  return (
    <table className="data-table">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th>Token</th>
          <th className="num">Clean</th>
          <th className="num">Ablated</th>
          <th className="num">Change</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={t.id}>
            <td className="mono">{displayToken(t.text)}</td>
            <td className="num">{(100 * t.clean).toFixed(2)}%</td>
            <td className="num">{(100 * t.ablated).toFixed(2)}%</td>
            <td className={t.ablated >= t.clean ? 'num up' : 'num down'}>{(100 * (t.ablated - t.clean)).toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function HeadAblationDetail({ sweep, params, head }: { sweep: AblationSweepJobResult; params: AblationParams; head: { layer: number; head: number } }) {
  const job = useJob('ablateHead');
  const { run } = job;
  useEffect(() => {
    void run({ ...params, answer: sweep.answer, wrong: sweep.wrong ?? undefined, pos: sweep.pos, layer: head.layer, head: head.head, topK: 8 });
  }, [run, params, sweep, head]);
  const li = sweep.layers.indexOf(head.layer);
  const r = job.state.status === 'done' ? job.state.result : null;
  return (
    <Panel title={`Head L${head.layer}H${head.head} ablated (${sweep.mode})`} testId="ablation-detail">
      <DetailList
        items={[
          ['Ablated metric', sweep.metric[li][head.head]],
          ['Clean metric', sweep.clean.metric],
          ['Total effect', sweep.totalEffect[li][head.head]],
          ['Direct effect', sweep.directEffect[li][head.head]],
          ['Self-repair', sweep.selfRepair[li][head.head]],
          ['DLA (clean)', sweep.dla[li][head.head]],
          ['KL(clean ‖ ablated)', sweep.kl[li][head.head]],
          ['Loss (ablated)', sweep.loss[li][head.head]],
        ]}
      />
      {!r && <JobStatus state={job.state} onCancel={job.cancel} />}
      {r && (
        <div className="two-columns">
          <DeltaTable title="Top tokens, clean run" rows={r.cleanTop} />
          <DeltaTable title="Top tokens, ablated run" rows={r.ablatedTop} />
        </div>
      )}
    </Panel>
  );
}
