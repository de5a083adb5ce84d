/**
 * Drill-down of one ablated head: its numbers from the sweep, and the head ablated alone by the
 * registry method "ablate-heads" (same prompt, mode and metric): clean against ablated metric,
 * loss and KL, and the tokens whose logits moved most, drawn by the one figure layer.
 */
import { useEffect } from 'react';
import type { PromptItem } from '../../../analysis/registry/contract.ts';
import type { AblateJson } from '../../../analysis/registry/ablate-heads.ts';
import type { AblationJson } from '../../../analysis/registry/head-ablation.ts';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Panel } from '../../components/Panel.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';

export type AblationMode = 'zero' | 'mean' | 'resample' | 'uniform';

export function HeadAblationDetail({ sweep, prompts, layer, head }: { sweep: AblationJson; prompts: readonly PromptItem[]; layer: number; head: number }) {
  const detail = useMethodRun<AblateJson>('ablate-heads');
  const { run } = detail;
  useEffect(() => {
    run(
      {
        prompt: 0,
        heads: [`${layer}.${head}`],
        mode: sweep.mode,
        position: sweep.position,
        answer: sweep.answer.id,
        ...(sweep.wrong ? { wrong: sweep.wrong.id } : {}),
        ...(sweep.mode === 'resample' ? { resampleFrom: 1 } : {}),
      },
      { prompts },
    );
  }, [run, sweep, prompts, layer, head]);
  const li = sweep.layers.indexOf(layer);
  const at = (grid: (number | null)[][]) => grid[li]?.[head] ?? NaN;
  const r = detail.result;
  return (
    <Panel title={`Head L${layer}H${head} ablated (${sweep.mode})`} testId="ablation-detail">
      <DetailList
        items={[
          ['Ablated metric', at(sweep.metric)],
          ['Clean metric', sweep.clean.metric ?? NaN],
          ['Total effect', at(sweep.totalEffect)],
          ['Direct effect', at(sweep.directEffect)],
          ['Self-repair', at(sweep.selfRepair)],
          ['DLA (clean)', at(sweep.dla)],
          ['KL(clean ‖ ablated)', at(sweep.kl)],
          ['Loss (ablated)', at(sweep.loss)],
        ]}
      />
      {!r && <JobStatus state={detail.state} onCancel={detail.cancel} />}
      {r && <MethodFigureCard run={detail} result={r} view="moved" type="bar" title="Logits that moved most" testId="figure-ablation-moved" />}
    </Panel>
  );
}
