/**
 * Retrieval heads (analysis/methods/retrieval.ts) on needle-in-a-haystack prompts built from
 * the shipped filler text: greedy decoding with every head's top-1 attention tracked; a head
 * scores when it attends to the needle token it copies. Grid of scores with the NIAH settings.
 */
import { useMemo, useState } from 'react';
import { NEEDLE_CHOICES, STORY_NEEDLES } from '../../../analysis/methods/niah.ts';
import { useModel } from '../../app/model-state.tsx';
import { Checkbox, NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { headGrid } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { RetrievalJobResult } from '../../worker/method-contracts.ts';
import { DetailList } from '../shared/DetailList.tsx';
import { TableCard } from '../shared/TableCard.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { ViewLayout } from '../ViewLayout.tsx';

function parseNumbers(text: string, ok: (n: number) => boolean): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const out = parts.map(Number);
  return out.length > 0 && out.every(ok) ? out : null;
}

function SamplesTable({ r }: { r: RetrievalJobResult }) {
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
            <td>{NEEDLE_CHOICES[r.settings[i].needle]?.answer ?? '?'}</td>
            <td className="num">{r.settings[i].contextLength}</td>
            <td className="num">{r.settings[i].depth.toFixed(0)}%</td>
            <td className="num">{s.recall.toFixed(2)}</td>
            <td>{s.counted ? 'yes' : 'no'}</td>
            <td className="mono generated-cell">{s.text ?? s.generatedIds.join(' ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RetrievalView() {
  const { card } = useModel();
  const job = useViewJob('retrieval');
  // Defaults that stories260K recalls (STORY_NEEDLES; see analysis/methods/niah.ts).
  const [lengths, setLengths] = useState('64, 128');
  const [depthText, setDepthText] = useState('0, 50, 100');
  const [needles, setNeedles] = useState<readonly number[]>(STORY_NEEDLES.map((_, i) => i));
  const [maxNewTokens, setMaxNewTokens] = useState(8);
  const [threshold, setThreshold] = useState(0.1);
  const r = job.result;
  const parsed = parseNumbers(lengths, (n) => Number.isInteger(n) && n > 0);
  const depths = parseNumbers(depthText, (n) => n >= 0 && n <= 100);
  const spec = useMemo(() => (r ? headGrid({ z: r.scores, title: 'Retrieval score', valueLabel: 'score', scale: 'sequential', range: [0, Math.max(threshold * 2, ...r.scores.flat())] }) : null), [r, threshold]);
  const total = parsed && depths ? parsed.length * depths.length * needles.length : 0;
  return (
    <ViewLayout
      title="Retrieval heads"
      description="Needle-in-a-haystack prompts (filler text shipped with Probescope, CC0). While the model answers, a head scores when its top-1 attention lands on the needle token it copies; samples count when the answer is recalled."
      onRun={() => parsed && depths && job.run({ contextLengths: parsed, depths, needles, maxNewTokens, threshold })}
      blocked={
        !card
          ? 'Open a model first.'
          : !parsed
            ? 'Context lengths must be whole numbers, e.g. 64, 128.'
            : !depths
              ? 'Depths are percentages from 0 to 100, e.g. 0, 50, 100.'
              : needles.length === 0
                ? 'Choose at least one needle.'
                : null
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
      testId="view-retrieval"
    >
      {r && spec && job.params && (
        <>
          <DetailList
            items={[
              ['Samples', r.samples.length],
              ['Counted (answer recalled)', r.counted],
              ['Mean recall', r.recall],
              ['Retrieval heads (score > threshold)', r.retrievalHeads.length === 0 ? 'none' : r.retrievalHeads.map((h) => `L${h.layer}H${h.head} (${h.score.toFixed(2)})`).join(', ')],
            ]}
          />
          <FigureCard
            title="Retrieval-head grid"
            caption={`${r.counted} of ${r.samples.length} samples counted · threshold ${r.threshold}`}
            spec={spec}
            testId="figure-retrieval"
            revision={job.runKey}
            exports={{
              name: 'retrieval-heads',
              table: () => ({ columns: ['layer', 'head', 'score'], rows: r.scores.flatMap((row, l) => row.map((v, h) => [l, h, v])) }),
              json: () => ({ analysis: 'retrieval', params: job.params, ...r }),
            }}
          />
          <TableCard
            title="Samples"
            exports={{
              name: 'retrieval-samples',
              table: () => ({ columns: ['needle', 'context_length', 'depth', 'recall', 'counted', 'generated'], rows: r.samples.map((s, i) => [NEEDLE_CHOICES[r.settings[i].needle]?.answer ?? '', r.settings[i].contextLength, r.settings[i].depth, s.recall, s.counted, s.text ?? '']) }),
              json: () => ({ samples: r.samples, settings: r.settings }),
            }}
          >
            <SamplesTable r={r} />
          </TableCard>
        </>
      )}
    </ViewLayout>
  );
}
