/**
 * Head scores (analysis/methods/head-scores.ts): previous-token, duplicate-token and induction
 * scores on repeated random tokens, and successor scores; one [layer × head] grid per score.
 * Click a head to see its attention on the first random sequence.
 */
import { useMemo, useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import { Checkbox, NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { cellOf, headGrid } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { HeadScoresJobResult } from '../../worker/method-contracts.ts';
import { useViewJob } from '../shared/use-view-job.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { HeadOnSequence } from './HeadOnSequence.tsx';

type Score = 'previousToken' | 'duplicateToken' | 'induction' | 'successor';

const SCORES: { value: Score; label: string }[] = [
  { value: 'previousToken', label: 'Previous token' },
  { value: 'duplicateToken', label: 'Duplicate token' },
  { value: 'induction', label: 'Induction' },
  { value: 'successor', label: 'Successor' },
];

function scoreGrid(r: HeadScoresJobResult, score: Score): number[][] | null {
  return score === 'successor' ? (r.successor?.scores ?? null) : r[score];
}

export function HeadScoresView() {
  const { card } = useModel();
  const job = useViewJob('headScores');
  const [n, setN] = useState(20);
  const [batch, setBatch] = useState(4);
  const [seed, setSeed] = useState(0);
  const [bos, setBos] = useState(false);
  const [successor, setSuccessor] = useState(true);
  const [score, setScore] = useState<Score>('induction');
  const [head, setHead] = useState<{ layer: number; head: number } | null>(null);
  const r = job.result;
  const z = r ? scoreGrid(r, score) : null;
  const label = SCORES.find((s) => s.value === score)!.label;
  const spec = useMemo(() => (z ? headGrid({ z, title: `${label} score`, valueLabel: 'score', scale: 'sequential', range: [0, 1], selectedHead: head }) : null), [z, label, head]);
  return (
    <ViewLayout
      title="Head scores"
      description="Attention on random tokens repeated twice [r, r]: previous-token = attention to i−1, duplicate = to i−n, induction = to i−n+1 (second half). Successor: whether a head's OV circuit maps an ordinal token to its successor."
      onRun={() => {
        setHead(null);
        job.run({ n, batch, seed, prependBos: bos, successor });
      }}
      blocked={card ? null : 'Open a model first.'}
      running={job.running}
      runLabel="Score heads"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <NumberField label="Length n" value={n} min={2} max={Math.floor(((card?.nCtx ?? 64) - 1) / 2)} onChange={setN} />
          <NumberField label="Sequences" value={batch} min={1} max={64} onChange={setBatch} />
          <NumberField label="Seed" value={seed} min={0} onChange={setSeed} />
          <Checkbox label="BOS first" checked={bos} onChange={setBos} />
          <Checkbox label="Successor scores" checked={successor} onChange={setSuccessor} />
        </>
      }
      testId="view-head-scores"
    >
      {r && (
        <div className="figure-stack">
          <Segmented label="Score" value={score} options={SCORES} onChange={setScore} />
          {score === 'successor' && !z && <Message tone="info">{r.successorSkipped ?? 'No successor task fits this tokenizer.'}</Message>}
          {z && spec && (
            <FigureCard
              title={`${label} scores`}
              caption={`${r.ids.length} sequences of 2 × ${r.n} tokens${score === 'successor' && r.successor ? ` · ${r.successor.pairs} ordinal pairs` : ''} · click a head`}
              spec={spec}
              onClick={(p) => {
                const c = cellOf(p, { x: z[0].map((_, h) => `H${h}`), y: z.map((_, l) => `L${l}`) });
                if (c) setHead({ layer: c.row, head: c.col });
              }}
              testId="figure-head-scores"
              revision={`${job.runKey}-${score}`}
              exports={{
                name: `head-scores-${score}`,
                table: () => ({
                  columns: ['layer', 'head', 'previous_token', 'duplicate_token', 'induction', 'successor'],
                  rows: r.induction.flatMap((row, l) => row.map((_, h) => [l, h, r.previousToken[l][h], r.duplicateToken[l][h], r.induction[l][h], r.successor?.scores?.[l][h] ?? null])),
                }),
                json: () => ({ analysis: 'headScores', params: job.params, axes: ['layer', 'head'], ...r }),
              }}
            />
          )}
          {head && <HeadOnSequence key={`${job.runKey}-${head.layer}-${head.head}`} ids={r.ids[0]} texts={r.texts[0]} head={head} />}
        </div>
      )}
    </ViewLayout>
  );
}
