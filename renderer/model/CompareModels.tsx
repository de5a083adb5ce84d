/**
 * "Compare with another checkpoint": the prompt through the open model and a second checkpoint
 * of the same architecture — a .gguf file or a model folder the user picks — on the open model's
 * backend (worker job compareModels), and where the two differ: KL and the largest logit
 * difference per position, the relative residual difference per layer.
 */
import { useState } from 'react';
import { idsOf, usePrompt } from '../app/prompt-state.tsx';
import { useJob } from '../app/use-job.ts';
import { JobStatus } from '../components/JobStatus.tsx';
import { Message } from '../components/Message.tsx';
import { StaleInterventions } from '../interventions/StaleInterventions.tsx';
import { Panel } from '../components/Panel.tsx';
import { FigureCard } from '../figures/FigureCard.tsx';
import { klFigure, logitDiffFigure, residualFigure } from '../figures/model-compare.ts';
import type { CompareModelsResult, ModelSourceRequest } from '../worker/contracts.ts';
import { OpenFolderButton } from './OpenFolderButton.tsx';
import { OpenGgufButton } from './OpenGgufButton.tsx';

/** The JSON export: the comparison and what was compared (not the picked File objects). */
function exportJson(r: CompareModelsResult) {
  return { analysis: 'compare-models', ...r };
}

function positionRows(r: CompareModelsResult) {
  return r.positions.map((p, i) => [i, r.ids[i], r.tokens[i], p.kl, p.maxAbsLogitDiff, r.top1Tokens[i].a, r.top1Tokens[i].b, p.top1A === p.top1B]);
}

const POSITION_COLUMNS = ['position', 'token_id', 'token', 'kl', 'max_abs_logit_diff', 'argmax_a', 'argmax_b', 'argmax_agree'];

export function CompareModels() {
  const job = useJob('compareModels');
  const ids = idsOf(usePrompt().clean);
  const [pickError, setPickError] = useState<string | null>(null);
  const done = job.state.status === 'done' ? job.state : null;
  const result = done?.result ?? null;
  // A new pick while one comparison runs replaces it (the job slot cancels the earlier run).
  const compare = (source: ModelSourceRequest) => {
    setPickError(null);
    if (ids) void job.run({ source, ids });
  };
  return (
    <Panel
      title="Compare with another checkpoint…"
      subtitle="Runs the prompt through the open model (A) and a second checkpoint of the same architecture and vocabulary (B, e.g. its quantised GGUF), on the same backend, and shows where they differ. B is freed afterwards."
      actions={
        <>
          <OpenGgufButton onOpen={compare} label="Compare with a GGUF file…" testId="compare-gguf" inputTestId="compare-gguf-input" />
          <OpenFolderButton onOpen={compare} onError={setPickError} label="Compare with a folder…" primary={false} testId="compare-folder" inputTestId="compare-folder-input" />
        </>
      }
      testId="compare-models-panel"
    >
      {!ids && <p className="job-note">Enter a prompt first.</p>}
      {pickError && <Message tone="error">{pickError}</Message>}
      <JobStatus state={job.state} onCancel={job.cancel} />
      {done && <StaleInterventions ranWith={done.result.interventions} onRerun={() => compare(done.params.source)} rerunDisabled={!ids} />}
      {result && (
        <>
          <p className="job-note" data-testid="compare-models-summary">
            A = {result.a}, B = {result.b} · {result.ids.length} tokens · max |Δlogit| {result.summary.maxAbsLogitDiff.toPrecision(3)} · mean KL {result.summary.meanKl.toPrecision(3)} · argmax agreement {(100 * result.summary.top1Agreement).toFixed(1)}%
          </p>
          <FigureCard
            title="Next-token KL per position"
            caption="KL(P_A ‖ P_B) in nats; the hover names both argmax tokens."
            spec={klFigure(result)}
            testId="figure-compare-kl"
            exports={{ name: 'compare-models-kl', table: () => ({ columns: POSITION_COLUMNS, rows: positionRows(result) }), json: () => exportJson(result) }}
          />
          <FigureCard
            title="Largest logit difference per position"
            spec={logitDiffFigure(result)}
            testId="figure-compare-logits"
            exports={{ name: 'compare-models-logits', table: () => ({ columns: POSITION_COLUMNS, rows: positionRows(result) }), json: () => exportJson(result) }}
          />
          <FigureCard
            title="Residual-stream difference per layer"
            caption="‖r_A − r_B‖ / ‖r_A‖ of blocks.l.hook_resid_post: where in depth the checkpoints part."
            spec={residualFigure(result)}
            testId="figure-compare-resid"
            exports={{
              name: 'compare-models-residual',
              table: () => ({ columns: ['layer', 'position', 'token', 'relative_difference'], rows: result.residRelDiff.flatMap((row, l) => row.map((v, p) => [l, p, result.tokens[p], v])) }),
              json: () => exportJson(result),
            }}
          />
        </>
      )}
    </Panel>
  );
}
