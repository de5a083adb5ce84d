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

/** "0, 3" or "" (every layer): the layers whose patterns are kept, or null when the text is not a list of layers. */
function parseLayers(text: string): number[] | null | undefined {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  const layers = parts.map(Number);
  return layers.every((l) => Number.isInteger(l) && l >= 0) ? layers : null;
}

export function AttentionView() {
  const input = usePromptInput();
  const job = useMethodRun('attention-patterns');
  const [layerText, setLayerText] = useState('');
  const [selected, setSelected] = useState<{ layer: number; head: number } | null>(null);
  const r = job.result as unknown as PatternsJson | null;
  const stale = r !== null && !sameIds(input.ids, r.ids);
  const nLayers = r ? r.layers.length : 0;
  const nHeads = r ? r.heads.length : 0;
  // A layer or head the run kept (the fields may name one it did not).
  const layer = r ? (r.layers.includes(selected?.layer ?? -1) ? selected!.layer : r.focus.layer) : 0;
  const head = r ? (r.heads.includes(selected?.head ?? -1) ? selected!.head : r.focus.head) : 0;
  // The run's result with the chosen head as its focus: what the `pattern` view draws.
  const shown = useMemo(() => (job.result && r ? { ...(job.result as JsonObject), focus: { layer, head } } : null), [job.result, r, layer, head]);
  const pos = r ? r.ids.length : 0;
  const patternOptions = useMemo(() => ({ width: 900, height: Math.min(900, Math.max(520, 14 * pos + 220)) }), [pos]);
  const gridOptions = useMemo(() => ({ width: 900, height: Math.max(360, 40 * nLayers + 200) }), [nLayers]);

  // Every head's pattern of a long prompt on a large model is too much to hold: keep some layers.
  const keptLayers = parseLayers(layerText);
  const params = { prompt: 0, ...(keptLayers ? { layers: keptLayers } : {}) };
  return (
    <ViewLayout
      title="Attention patterns"
      description="Where each head's queries attend. The grid shows how far back each head looks on average; click one to open its pattern below (hover shows the query and key tokens, drag to zoom)."
      onRun={() => {
        if (!input.ids) return;
        setSelected(null);
        job.run(params, { prompts: [{ ids: input.ids }], tokens: input.tokens ?? [] });
      }}
      blocked={input.blocked ?? (keptLayers === null ? 'Layers: give layer numbers, e.g. 0, 3, or leave empty for all.' : job.check(params))}
      running={job.running}
      runLabel="Compute patterns"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <div className="field field-sm">
            <label className="field-label" htmlFor="attention-layers" title="The layers whose patterns are computed and kept (all when empty)">
              Layers
            </label>
            <input id="attention-layers" className={keptLayers === null ? 'input input-invalid' : 'input'} value={layerText} placeholder="all" onChange={(e) => setLayerText(e.currentTarget.value)} data-testid="attention-layers" />
          </div>
          {r && (
            <>
              <NumberField label="Layer" value={layer} min={r.layers[0]} max={r.layers[nLayers - 1]} onChange={(l) => setSelected({ layer: l, head })} testId="attention-layer" />
              <NumberField label="Head" value={head} min={0} max={nHeads - 1} onChange={(h) => setSelected({ layer, head: h })} testId="attention-head" />
            </>
          )}
        </>
      }
      ranWith={job.ranWith}
      ranSplice={job.ranSplice}
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
