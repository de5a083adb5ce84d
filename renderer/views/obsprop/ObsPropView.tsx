/**
 * ObsProp (analysis/methods/obsprop.ts): an observable n = Σ e(positive) − Σ e(negative) on the
 * logits, pulled back through the final norm and each head's OV circuit into a feature vector
 * per head. The feature table ranks heads by feature norm beside their ablation effect; the
 * coupling matrix shows C(y_i, y_j) = y_i·y_j / ‖y_i‖² between the strongest heads.
 */
import { useMemo, useState } from 'react';
import { NumberField, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { bars, cellOf, headGrid, heatmap } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import { positionTokenLabel } from '../../../analysis/formats/token-label.ts';
import { displayToken } from '../../prompt/token-display.ts';
import type { ObsPropJobResult } from '../../worker/method-contracts.ts';
import { DecodedDirectionCard } from '../shared/DecodedDirectionCard.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import { PositionSelect } from '../shared/PositionSelect.tsx';
import { TableCard } from '../shared/TableCard.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';

/** "␣he|␣him" style lists: entries separated by |, spaces kept (a leading space is part of a token). */
export function tokenList(text: string): string[] {
  return text.split('|').filter((t) => t.length > 0);
}

function FeatureTable({ r, onPick }: { r: ObsPropJobResult; onPick: (h: { layer: number; head: number }) => void }) {
  return (
    <table className="data-table data-table-clickable" data-testid="obsprop-table">
      <thead>
        <tr>
          <th className="num">#</th>
          <th>Head</th>
          <th className="num">Feature norm</th>
          <th className="num">Ablation effect</th>
          <th>Promotes</th>
        </tr>
      </thead>
      <tbody>
        {r.ranking.slice(0, 16).map((h, i) => (
          <tr key={`${h.layer}-${h.head}`} onClick={() => onPick(h)}>
            <td className="num">{i + 1}</td>
            <td className="mono">
              L{h.layer}H{h.head}
            </td>
            <td className="num">{h.norm.toFixed(4)}</td>
            <td className="num">{h.effect === null ? '—' : h.effect.toFixed(4)}</td>
            <td className="mono token-cell">{(r.heads[h.layer][h.head].decoded?.top ?? []).slice(0, 5).map((t) => displayToken(t.token ?? `#${t.id}`)).join('  ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ObsPropView() {
  const input = usePromptInput();
  const job = useViewJob('obsprop');
  const [positive, setPositive] = useState(' he');
  const [negative, setNegative] = useState(' she');
  const [pos, setPos] = useState<number | undefined>(undefined);
  const [effects, setEffects] = useState<'zero' | 'mean' | 'none'>('zero');
  const [scales, setScales] = useState<'prompt' | 'data-free'>('prompt');
  const [couplingHeads, setCouplingHeads] = useState(12);
  const [picked, setPicked] = useState<{ layer: number; head: number } | null>(null);
  const r = job.result;
  const figures = useMemo(() => {
    if (!r) return null;
    const labels = r.couplingHeads.map((h) => `L${h.layer}H${h.head}`);
    return {
      norms: headGrid({ z: r.heads.map((row) => row.map((h) => h.norm)), title: 'Feature norm per head', valueLabel: '‖y‖', scale: 'sequential', selectedHead: picked }),
      coupling: heatmap({ z: r.coupling.map((row) => [...row]), x: labels, y: labels, title: 'Coupling C(y_row, y_col)', xTitle: 'head', yTitle: 'head', valueLabel: 'coupling', scale: 'diverging', annotate: labels.length <= 12 }),
      labels,
    };
  }, [r, picked]);
  const head = r ? (picked ?? r.ranking[0]) : null;
  const feature = r && head ? r.heads[head.layer][head.head] : null;
  const scoreBars = useMemo(
    () => (feature?.scores && head ? bars({ labels: Array.from(feature.scores, (_, j) => positionTokenLabel(j, job.tokens[j]?.text ?? '', 8)), values: Array.from(feature.scores), title: `Per-token scores y·x of L${head.layer}H${head.head}`, valueLabel: 'score' }) : null),
    [feature, head, job.tokens],
  );
  const pos_ = tokenList(positive);
  const neg_ = tokenList(negative);
  return (
    <ViewLayout
      title="ObsProp"
      description="Observable propagation: which heads can move the observable (positive minus negative tokens), from their OV circuits alone. Separate tokens with |; a leading space is part of a token."
      onRun={() => {
        if (!input.ids) return;
        setPicked(null);
        job.run({ positive: pos_, negative: neg_, ids: input.ids, pos, scales, effects, topK: 8, couplingHeads }, input.tokens ?? []);
      }}
      blocked={input.blocked ?? (pos_.length === 0 ? 'Give at least one positive token.' : null)}
      running={job.running}
      runLabel="Propagate"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <div className="field field-sm">
            <label className="field-label" htmlFor="obsprop-positive">
              Positive tokens
            </label>
            <input id="obsprop-positive" className="input mono" value={positive} onChange={(e) => setPositive(e.currentTarget.value)} />
          </div>
          <div className="field field-sm">
            <label className="field-label" htmlFor="obsprop-negative">
              Negative tokens
            </label>
            <input id="obsprop-negative" className="input mono" value={negative} onChange={(e) => setNegative(e.currentTarget.value)} />
          </div>
          <PositionSelect tokens={input.tokens} value={pos} onChange={setPos} />
          <SelectField label="Norm scales" value={scales} options={[{ value: 'prompt', label: 'From the prompt' }, { value: 'data-free', label: 'Data-free' }]} onChange={setScales} />
          <SelectField label="Ablation effect" value={effects} options={[{ value: 'zero', label: 'Zero' }, { value: 'mean', label: 'Mean' }, { value: 'none', label: 'None' }]} onChange={setEffects} />
          <NumberField label="Coupled heads" value={couplingHeads} min={2} max={64} onChange={setCouplingHeads} />
        </>
      }
      testId="view-obsprop"
    >
      {r && figures && job.params && (
        <>
          <DetailList items={[['Observable value n·logits', r.value ?? NaN], ['Positive ids', r.observable.positive.join(', ')], ['Negative ids', r.observable.negative.join(', ') || '—'], ['Scales', r.scaleMode]]} />
          <TableCard
            title="Feature table"
            caption="heads ranked by feature norm (data-free importance) beside their ablation effect · click a row"
            testId="table-obsprop"
            exports={{
              name: 'obsprop-features',
              table: () => ({
                columns: ['rank', 'layer', 'head', 'feature_norm', 'ablation_effect', 'top_tokens'],
                rows: r.ranking.map((h, i) => [i + 1, h.layer, h.head, h.norm, h.effect, (r.heads[h.layer][h.head].decoded?.top ?? []).map((t) => t.token ?? `#${t.id}`).join(' ')]),
              }),
              json: () => ({ analysis: 'obsprop', params: job.params, ...r }),
            }}
          >
            <FeatureTable r={r} onPick={setPicked} />
          </TableCard>
          <div className="figure-pair">
            <FigureCard
              title="Feature norms"
              spec={figures.norms}
              onClick={(p) => {
                const c = cellOf(p, { x: r.heads[0].map((_, h) => `H${h}`), y: r.heads.map((_, l) => `L${l}`) });
                if (c) setPicked({ layer: c.row, head: c.col });
              }}
              testId="figure-obsprop-norms"
              revision={job.runKey}
              exports={{ name: 'obsprop-norms', table: () => ({ columns: ['layer', 'head', 'norm'], rows: r.heads.flatMap((row) => row.map((h) => [h.layer, h.head, h.norm])) }), json: () => ({ axes: ['layer', 'head'], norms: r.heads.map((row) => row.map((h) => h.norm)) }) }}
            />
            <FigureCard
              title="Coupling matrix"
              caption={`the ${figures.labels.length} heads with the largest feature norms`}
              spec={figures.coupling}
              testId="figure-obsprop-coupling"
              revision={job.runKey}
              exports={{
                name: 'obsprop-coupling',
                table: () => ({ columns: ['row_head', 'col_head', 'coupling'], rows: r.coupling.flatMap((row, i) => row.map((v, j) => [figures.labels[i], figures.labels[j], v])) }),
                json: () => ({ heads: r.couplingHeads, coupling: r.coupling }),
              }}
            />
          </div>
          {feature?.decoded && head && <DecodedDirectionCard title={`Feature of L${head.layer}H${head.head} decoded`} subtitle={`‖y‖ = ${feature.norm.toFixed(4)}`} decoded={feature.decoded} />}
          {scoreBars && head && feature?.scores && (
            <FigureCard
              title="Per-token scores"
              spec={scoreBars}
              revision={`${job.runKey}-${head.layer}-${head.head}`}
              exports={{ name: `obsprop-L${head.layer}H${head.head}-scores`, table: () => ({ columns: ['pos', 'token', 'score'], rows: Array.from(feature.scores!, (v, j) => [j, job.tokens[j]?.text ?? '', v]) }), json: () => ({ layer: head.layer, head: head.head, scores: feature.scores }) }}
            />
          )}
        </>
      )}
    </ViewLayout>
  );
}
