/**
 * Attention patterns (registry method "attention-patterns"): every head's mean attention distance
 * as a layer × head grid (click a head to open it), and the chosen head's query × key pattern in
 * full, both the method's views drawn by the figure layer. The chosen head is view state: the
 * run holds every head, so opening another one does not run again.
 */
import { useMemo, useState } from 'react';
import { NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import type { JsonObject } from '../../../analysis/json.ts';
import { useMethodRun } from '../shared/use-method-run.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { sameIds, usePromptInput } from '../use-prompt-input.ts';

/** The parts of the method's result (analysis/registry/attention-patterns.ts) the view reads. */
interface PatternsJson {
  readonly ids: readonly number[];
  readonly layers: readonly number[];
  readonly heads: readonly number[];
  readonly focus: { readonly layer: number; readonly head: number };
}

export function AttentionView() {
  const input = usePromptInput();
  const job = useMethodRun('attention-patterns');
  const [selected, setSelected] = useState<{ layer: number; head: number } | null>(null);
  const r = job.result as unknown as PatternsJson | null;
  const stale = r !== null && !sameIds(input.ids, r.ids);
  const nLayers = r ? r.layers.length : 0;
  const nHeads = r ? r.heads.length : 0;
  const layer = r ? Math.min(selected?.layer ?? r.focus.layer, nLayers - 1) : 0;
  const head = r ? Math.min(selected?.head ?? r.focus.head, nHeads - 1) : 0;
  // The run's result with the chosen head as its focus: what the `pattern` view draws.
  const shown = useMemo(() => (job.result && r ? { ...(job.result as JsonObject), focus: { layer, head } } : null), [job.result, r, layer, head]);
  const pos = r ? r.ids.length : 0;
  const patternOptions = useMemo(() => ({ width: 900, height: Math.min(900, Math.max(520, 14 * pos + 220)) }), [pos]);
  const gridOptions = useMemo(() => ({ width: 900, height: Math.max(360, 40 * nLayers + 200) }), [nLayers]);

  return (
    <ViewLayout
      title="Attention patterns"
      description="Where each head's queries attend. The grid shows how far back each head looks on average; click one to open its pattern below (hover shows the query and key tokens, drag to zoom)."
      onRun={() => {
        if (!input.ids) return;
        setSelected(null);
        job.run({ prompt: 0 }, { prompts: [{ ids: input.ids }], tokens: input.tokens ?? [] });
      }}
      blocked={input.blocked}
      running={job.running}
      runLabel="Compute patterns"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        r && (
          <>
            <NumberField label="Layer" value={layer} min={0} max={nLayers - 1} onChange={(l) => setSelected({ layer: l, head })} testId="attention-layer" />
            <NumberField label="Head" value={head} min={0} max={nHeads - 1} onChange={(h) => setSelected({ layer, head: h })} testId="attention-head" />
          </>
        )
      }
      testId="view-attention"
    >
      {stale && <Message tone="info">The prompt changed since these patterns were computed. Run again to update.</Message>}
      {r && shown && (
        <div className="figure-stack">
          <MethodFigureCard
            run={job}
            result={shown}
            view="heads"
            options={gridOptions}
            title="All heads"
            caption={`${nLayers} layers × ${nHeads} heads · mean attention distance · click a head`}
            onCell={(c) => setSelected({ layer: r.layers[c.y], head: r.heads[c.x] })}
            frame={{ x: r.heads.indexOf(head), y: r.layers.indexOf(layer) }}
            testId="figure-attention-grid"
            exportName="attention-heads"
          />
          <MethodFigureCard
            run={job}
            result={shown}
            view="pattern"
            options={patternOptions}
            title={`Head L${layer}H${head}`}
            caption={`${pos} positions`}
            testId="figure-attention-head"
            exportName={`attention-L${layer}H${head}`}
            revision={`${job.runKey}-L${layer}H${head}`}
          />
        </div>
      )}
    </ViewLayout>
  );
}
