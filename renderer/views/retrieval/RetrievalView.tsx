/**
 * Retrieval heads (registry method "retrieval-heads") on needle-in-a-haystack prompts built from
 * the shipped filler text: greedy decoding with every head's top-1 attention tracked; a head
 * scores when it attends to the needle token it copies. The method's views: the head grid of
 * scores, recall by context length and depth, and the samples.
 */
import { useMemo, useState } from 'react';
import { NEEDLE_CHOICES, STORY_NEEDLES } from '../../../analysis/methods/niah.ts';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import { useModel } from '../../app/model-state.tsx';
import { Checkbox, NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import { TableCard } from '../shared/TableCard.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';
import { ViewLayout } from '../ViewLayout.tsx';

type N = number | null;
/** The parts of the method's result (analysis/registry/retrieval.ts) the view reads besides its views. */
interface RetrievalJson {
  readonly retrievalHeads: readonly { readonly layer: number; readonly head: number; readonly score: number }[];
  readonly counted: number;
  readonly recall: N;
  readonly samples: readonly { readonly answer: string; readonly contextLength: number; readonly depth: number; readonly recall: N; readonly counted: boolean; readonly text: string | null }[];
}

function parseNumbers(text: string, ok: (n: number) => boolean): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const out = parts.map(Number);
  return out.length > 0 && out.every(ok) ? out : null;
}

function SamplesTable({ r }: { r: RetrievalJson }) {
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th>Needle</th>
          <th className="num">Context</th>
          <th className="num">Depth</th>
          <th className="num">Recall</th>
          <th>Counted</th>
          <th>Generated</th>
        </tr>
      </thead>
      <tbody>
        {r.samples.map((s, i) => (
          <tr key={i}>
            <td>{s.answer}</td>
            <td className="num">{s.contextLength}</td>
            <td className="num">{s.depth.toFixed(0)}%</td>
            <td className="num">{s.recall === null ? '—' : s.recall.toFixed(2)}</td>
            <td>{s.counted ? 'yes' : 'no'}</td>
            <td className="mono generated-cell">{s.text ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RetrievalView() {
  const { card } = useModel();
  const job = useMethodRun('retrieval-heads');
  // Defaults that stories260K recalls (STORY_NEEDLES; see analysis/methods/niah.ts).
  const [lengths, setLengths] = useState('64, 128');
  const [depthText, setDepthText] = useState('0, 50, 100');
  const [needles, setNeedles] = useState<readonly number[]>(STORY_NEEDLES.map((_, i) => i));
  const [maxNewTokens, setMaxNewTokens] = useState(8);
  const [threshold, setThreshold] = useState(0.1);
  const r = job.result as unknown as RetrievalJson | null;
  const parsed = parseNumbers(lengths, (n) => Number.isInteger(n) && n > 0);
  const depths = parseNumbers(depthText, (n) => n >= 0 && n <= 100);
  const params = { needles: needles.map((i) => NEEDLE_CHOICES[i]), contextLengths: parsed ?? [], depths: depths ?? [], maxNewTokens, threshold };
  const total = parsed && depths ? parsed.length * depths.length * needles.length : 0;
  const samples = useMemo(() => (job.result ? job.method.view(job.result, 'samples') : null), [job.method, job.result]);
  const ranThreshold = (job.params as { threshold?: number } | null)?.threshold;
  return (
    <ViewLayout
      title="Retrieval heads"
      description="Needle-in-a-haystack prompts (filler text shipped with Probescope, CC0). While the model answers, a head scores when its top-1 attention lands on the needle token it copies; samples count when the answer is recalled."
      onRun={() => job.run(params)}
      blocked={
        !card
          ? 'Open a model first.'
          : !parsed
            ? 'Context lengths must be whole numbers, e.g. 64, 128.'
            : !depths
              ? 'Depths are percentages from 0 to 100, e.g. 0, 50, 100.'
              : needles.length === 0
                ? 'Choose at least one needle.'
                : job.check(params)
      }
      running={job.running}
      runLabel={`Score ${total} prompts`}
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <div className="field field-sm">
            <label className="field-label" htmlFor="niah-lengths">
              Context lengths
            </label>
            <input id="niah-lengths" className="input" value={lengths} onChange={(e) => setLengths(e.currentTarget.value)} />
          </div>
          <div className="field field-sm">
            <label className="field-label" htmlFor="niah-depths" title="Where the needle sits in the context: 0 = start, 100 = end (as --depths in the CLI)">
              Depths (%)
            </label>
            <input id="niah-depths" className={depths ? 'input' : 'input input-invalid'} value={depthText} onChange={(e) => setDepthText(e.currentTarget.value)} data-testid="niah-depths" />
          </div>
          <NumberField label="Max new tokens" value={maxNewTokens} min={1} max={50} onChange={setMaxNewTokens} />
          <NumberField label="Threshold" value={threshold} min={0} max={1} step={0.05} onChange={setThreshold} />
          <div className="field">
            <span className="field-label">Needles</span>
            <div className="checkbox-column">
              {NEEDLE_CHOICES.map((n, i) => (
                <Checkbox key={i} label={n.needle} checked={needles.includes(i)} onChange={(on) => setNeedles(on ? [...needles, i].sort() : needles.filter((x) => x !== i))} />
              ))}
            </div>
          </div>
        </>
      }
      ranWith={job.ranWith}
      ranSplice={job.ranSplice}
      testId="view-retrieval"
    >
      {r && samples && (
        <>
          <DetailList
            items={[
              ['Samples', r.samples.length],
              ['Counted (answer recalled)', r.counted],
              ['Mean recall', r.recall ?? NaN],
              ['Retrieval heads (score > threshold)', r.retrievalHeads.length === 0 ? 'none' : r.retrievalHeads.map((h) => `L${h.layer}H${h.head} (${h.score.toFixed(2)})`).join(', ')],
            ]}
          />
          <div className="figure-stack">
            <MethodFigureCard
              run={job}
              result={job.result!}
              view="scores"
              options={{ width: 900 }}
              title="Retrieval-head grid"
              caption={`${r.counted} of ${r.samples.length} samples counted · threshold ${ranThreshold ?? ''}`}
              testId="figure-retrieval"
              exportName="retrieval-heads"
            />
            <MethodFigureCard run={job} result={job.result!} view="recall" options={{ width: 900 }} title="Recall by context and depth" testId="figure-retrieval-recall" exportName="retrieval-recall" />
            <TableCard title="Samples" exports={{ name: 'retrieval-samples', table: () => viewToTable(samples), json: () => job.pin('samples', 'table') }}>
              <SamplesTable r={r} />
            </TableCard>
          </div>
        </>
      )}
    </ViewLayout>
  );
}
