/**
 * Path patching (registry method "path-patching", run by the worker's `method` job): every head
 * as a sender, its clean output reaching only the receiver (a head's q/k/v input, or the logits)
 * with everything else frozen at the corrupted run. Grid of the normalised metric per sender.
 */
import { useState } from 'react';
import type { PathPatchingJson } from '../../../analysis/registry/path-patching.ts';
import { useModel } from '../../app/model-state.tsx';
import { Checkbox, NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Segmented } from '../../components/Segmented.tsx';
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

type ReceiverKind = 'logits' | 'q' | 'k' | 'v';

export function PathPatchingView() {
  const { card } = useModel();
  const pair = usePairInput();
  const run = useMethodRun<PathPatchingJson>('path-patching');
  const [kind, setKind] = useState<ReceiverKind>('logits');
  const [receiver, setReceiver] = useState({ layer: 1, head: 0 });
  const [recomputeMlps, setRecomputeMlps] = useState(false);
  const [corruption, setCorruption] = useState<CorruptionChoice>({ kind: 'tokens' });
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [sender, setSender] = useState<{ x: number; y: number } | null>(null);
  const chosen = corruptionParams(corruption, pair);
  const receivers = kind === 'logits' ? 'logits' : [{ ...receiver, input: kind }];
  const params = chosen.params ? { ...chosen.params, senders: 'each-head', receivers, recomputeMlps, ...metricParams(metric) } : null;
  const r = run.result;
  const at = sender && r ? sender.y * r.shape[1] + sender.x : null;
  return (
    <ViewLayout
      title="Path patching"
      description="Each head in turn sends its clean output; only the receiver sees it (everything else frozen at the corrupted run). Senders that matter for the receiver light up."
      onRun={() => {
        if (!params || !pair.clean) return;
        setSender(null);
        run.run(params, { prompts: chosen.prompts, tokens: pair.clean });
      }}
      blocked={chosen.blocked ?? metricBlocked(metric) ?? (params && run.check(params))}
      running={run.running}
      runLabel="Patch every path"
      status={<JobStatus state={run.state} onCancel={run.cancel} />}
      params={
        <>
          <Segmented label="Receiver" value={kind} options={[{ value: 'logits', label: 'Logits' }, { value: 'q', label: 'Head q' }, { value: 'k', label: 'Head k' }, { value: 'v', label: 'Head v' }]} onChange={setKind} />
          {kind !== 'logits' && (
            <>
              <NumberField label="Receiver layer" value={receiver.layer} min={0} max={(card?.nLayers ?? 1) - 1} onChange={(layer) => setReceiver({ ...receiver, layer })} />
              <NumberField label="Receiver head" value={receiver.head} min={0} max={(card?.nHeads ?? 1) - 1} onChange={(head) => setReceiver({ ...receiver, head })} />
            </>
          )}
          <Checkbox label="Let MLPs respond" checked={recomputeMlps} onChange={setRecomputeMlps} />
          <CorruptionFields value={corruption} onChange={setCorruption} />
          <MetricFields value={metric} onChange={setMetric} tokens={pair.clean} wrongAuto="top token on the corrupted prompt" />
        </>
      }
      ranWith={run.ranWith}
      ranSplice={run.ranSplice}
      testId="view-path-patching"
    >
      {r && (
        <div className="figure-stack">
          <MethodFigureCard
            run={run}
            result={r}
            view="normalized"
            title="Senders"
            caption={`${metricCaption(r.answer, r.wrong, r.position)} · clean ${r.cleanMetric?.toFixed(3) ?? '—'} · corrupted ${r.corruptedMetric?.toFixed(3) ?? '—'}`}
            onCell={(c) => setSender({ x: c.x, y: c.y })}
            frame={sender}
            testId="figure-path-patching"
          />
          {sender && at !== null && (
            <DetailList
              testId="path-patching-detail"
              items={[
                ['Sender', `L${sender.y}H${sender.x}`],
                ['Receiver', r.receivers],
                ['Metric', r.metric[at] ?? NaN],
                ['Normalised', r.normalized[at] ?? NaN],
                ['Clean metric', r.cleanMetric ?? NaN],
                ['Corrupted metric', r.corruptedMetric ?? NaN],
              ]}
            />
          )}
        </div>
      )}
    </ViewLayout>
  );
}
