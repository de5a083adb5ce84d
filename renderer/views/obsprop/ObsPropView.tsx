/**
 * ObsProp (registry method "obsprop", run by the worker's `method` job): an observable
 * n = Σ e(positive) − Σ e(negative) on the logits, pulled back through the final norm and each
 * head's OV circuit into a feature vector per head. The method's feature table ranks heads by
 * feature norm beside their ablation effect; its coupling view shows C(y_i, y_j) = y_i·y_j / ‖y_i‖²
 * between the strongest heads; a picked head's feature is shown decoded (tokens with their values)
 * and its row of the per-token scores view is drawn below.
 */
import { useMemo, useState } from 'react';
import type { ObsPropJson } from '../../../analysis/registry/obsprop.ts';
import type { TableView } from '../../../analysis/registry/views.ts';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import { NumberField, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { displayToken } from '../../prompt/token-display.ts';
import { DetailList, formatNumber } from '../shared/DetailList.tsx';
import { HeadFeatureCard } from './HeadFeatureCard.tsx';
import { PositionSelect } from '../shared/PositionSelect.tsx';
import { SliceFigureCard } from '../shared/SliceFigureCard.tsx';
import { TableCard } from '../shared/TableCard.tsx';
import type { MethodRun } from '../shared/use-method-run.ts';
import { useMethodRun } from '../shared/use-method-run.ts';
import { usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';

/** "␣he|␣him" style lists: entries separated by |, spaces kept (a leading space is part of a token). */
export function tokenList(text: string): string[] {
  return text.split('|').filter((t) => t.length > 0);
}

/** Figures side by side: half the width of one. */
const PAIR = { width: 520, height: 440 } as const;

type Head = { readonly layer: number; readonly head: number };

function parseHead(label: string): Head {
  const m = /^L(\d+)H(\d+)$/.exec(label);
  if (!m) throw new Error(`internal: "${label}" is not a head label`);
  return { layer: Number(m[1]), head: Number(m[2]) };
}

/** The method's feature table (top rows), each row picking its head. */
function FeatureTable({ run, result, onPick }: { run: MethodRun<ObsPropJson>; result: ObsPropJson; onPick: (h: Head) => void }) {
  const view = useMemo(() => run.method.view(result, 'features') as TableView, [run.method, result]);
  return (
    <TableCard
      title="Feature table"
      caption="heads ranked by feature norm (data-free importance) beside their ablation effect · click a row"
      testId="table-obsprop"
      exports={{ name: 'obsprop-features', table: () => viewToTable(view), json: () => run.pin('features', 'table') }}
    >
      <table className="data-table data-table-clickable" data-testid="obsprop-table">
        <thead>
          <tr>
            <th className="num">#</th>
            {view.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {view.rows.slice(0, 16).map((row, i) => (
            <tr key={String(row[0])} onClick={() => onPick(parseHead(String(row[0])))}>
              <td className="num">{i + 1}</td>
              {row.map((cell, c) => (
                <td key={view.columns[c]} className={typeof cell === 'number' ? 'num' : 'mono token-cell'}>
                  {cell === null ? '—' : typeof cell === 'number' ? formatNumber(cell) : cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableCard>
  );
}

export function ObsPropView() {
  const input = usePromptInput();
  const run = useMethodRun<ObsPropJson>('obsprop');
  const [positive, setPositive] = useState(' he');
  const [negative, setNegative] = useState(' she');
  const [pos, setPos] = useState<number | undefined>(undefined);
  const [effects, setEffects] = useState<'zero' | 'mean' | 'none'>('zero');
  const [scales, setScales] = useState<'prompt' | 'data-free'>('prompt');
  const [couplingHeads, setCouplingHeads] = useState(12);
  const [picked, setPicked] = useState<Head | null>(null);
  const r = run.result;
  const pos_ = tokenList(positive);
  const neg_ = tokenList(negative);
  const params = { positive: pos_, negative: neg_, prompt: 0, position: pos ?? -1, scales, effects, decodeTopK: 8, couplingHeads };
  const head = r ? (picked ?? (r.ranking[0] ? parseHead(r.ranking[0].head) : null)) : null;
  const nHeads = r?.norms[0]?.length ?? 0;
  return (
    <ViewLayout
      title="ObsProp"
      description="Observable propagation: which heads can move the observable (positive minus negative tokens), from their OV circuits alone. Separate tokens with |; a leading space is part of a token."
      onRun={() => {
        if (!input.ids) return;
        setPicked(null);
        run.run(params, { prompts: [{ ids: input.ids }], tokens: input.tokens ?? [] });
      }}
      blocked={input.blocked ?? (pos_.length === 0 ? 'Give at least one positive token.' : null) ?? run.check(params)}
      running={run.running}
      runLabel="Propagate"
      status={<JobStatus state={run.state} onCancel={run.cancel} />}
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
      ranWith={run.ranWith}
      ranSplice={run.ranSplice}
      testId="view-obsprop"
    >
      {r && (
        <>
          <DetailList
            items={[
              ['Observable value n·logits', r.value ?? NaN],
              ['Positive tokens', r.observable.positive.map(displayToken).join(' ')],
              ['Negative tokens', r.observable.negative.map(displayToken).join(' ') || '—'],
              ['Scales', r.scaleMode],
            ]}
          />
          <FeatureTable run={run} result={r} onPick={setPicked} />
          {head && <HeadFeatureCard result={r} head={`L${head.layer}H${head.head}`} />}
          <div className="figure-pair">
            <MethodFigureCard
              run={run}
              result={r}
              view="norms"
              options={PAIR}
              title="Feature norms"
              onCell={(c) => setPicked({ layer: c.y, head: c.x })}
              frame={head ? { x: head.head, y: head.layer } : null}
              testId="figure-obsprop-norms"
            />
            <MethodFigureCard run={run} result={r} view="coupling" options={PAIR} title="Coupling matrix" caption={`the ${r.coupling.heads.length} heads with the largest feature norms`} testId="figure-obsprop-coupling" />
          </div>
          {head && r.scores[head.layer]?.[head.head] && (
            <SliceFigureCard run={run} result={r} view="scores" slice={{ row: head.layer * nHeads + head.head }} title={`Per-token scores y·x of L${head.layer}H${head.head}`} testId="figure-obsprop-scores" />
          )}
        </>
      )}
    </ViewLayout>
  );
}
