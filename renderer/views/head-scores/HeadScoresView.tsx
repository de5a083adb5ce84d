/**
 * Head scores (registry method "head-scores"): previous-token, duplicate-token and induction
 * scores on repeated random tokens, and successor scores; one [layer × head] grid per score, the
 * method's own views drawn by the figure layer. Click a head to see its attention on the first
 * random sequence.
 */
import { useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import { Checkbox, NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { HeadOnSequence } from './HeadOnSequence.tsx';

type Score = 'previous-token' | 'duplicate-token' | 'induction' | 'successor';

const SCORES: { value: Score; label: string }[] = [
  { value: 'previous-token', label: 'Previous token' },
  { value: 'duplicate-token', label: 'Duplicate token' },
  { value: 'induction', label: 'Induction' },
  { value: 'successor', label: 'Successor' },
];

/** The parts of the method's result (analysis/registry/head-scores.ts) the view reads besides its views. */
interface HeadScoresJson {
  readonly successor: unknown[] | null;
  readonly successorSkipped: string | null;
  readonly successorTasks: readonly { readonly used: boolean; readonly pairs: number }[];
  readonly sequence: { readonly ids: number[]; readonly tokens: string[] };
}

export function HeadScoresView() {
  const { card } = useModel();
  const job = useMethodRun('head-scores');
  const [n, setN] = useState(20);
  const [batch, setBatch] = useState(4);
  const [seed, setSeed] = useState(0);
  const [bos, setBos] = useState(false);
  const [successor, setSuccessor] = useState(true);
  const [score, setScore] = useState<Score>('induction');
  const [head, setHead] = useState<{ layer: number; head: number } | null>(null);
  const r = job.result as unknown as HeadScoresJson | null;
  const params = { n, batch, seed, prependBos: bos, successor };
  const label = SCORES.find((s) => s.value === score)!.label;
  const pairs = r ? r.successorTasks.filter((t) => t.used).reduce((a, t) => a + t.pairs, 0) : 0;
  const ran = job.params as { n: number; batch: number } | null;
  return (
    <ViewLayout
      title="Head scores"
      description="Attention on random tokens repeated twice [r, r]: previous-token = attention to i−1, duplicate = to i−n, induction = to i−n+1 (second half). Successor: whether a head's OV circuit maps an ordinal token to its successor."
      onRun={() => {
        setHead(null);
        job.run(params);
      }}
      blocked={card ? job.check(params) : 'Open a model first.'}
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
      ranWith={job.ranWith}
      ranSplice={job.ranSplice}
      testId="view-head-scores"
    >
      {r && ran && (
        <div className="figure-stack">
          <Segmented label="Score" value={score} options={SCORES} onChange={setScore} />
          {score === 'successor' && !r.successor ? (
            <Message tone="info">{r.successorSkipped ?? 'No successor task fits this tokenizer.'}</Message>
          ) : (
            <MethodFigureCard
              run={job}
              result={job.result!}
              view={score}
              type="heatmap"
              options={{ width: 900 }}
              title={`${label} scores`}
              caption={`${ran.batch} sequences of 2 × ${ran.n} tokens${score === 'successor' ? ` · ${pairs} ordinal pairs` : ''} · click a head`}
              onCell={(c) => setHead({ layer: c.y, head: c.x })}
              frame={head && { x: head.head, y: head.layer }}
              testId="figure-head-scores"
              exportName={`head-scores-${score}`}
            />
          )}
          {head && <HeadOnSequence key={`${job.runKey}-${head.layer}-${head.head}`} ids={r.sequence.ids} head={head} />}
        </div>
      )}
    </ViewLayout>
  );
}
