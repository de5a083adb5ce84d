/**
 * probescope heads --model M [--n N] [--batch B] [--seed S] [--bos] [--no-successor] [--top K]
 *   [--backend cpu|webgpu] [--json]
 *
 * Head scores on repeated random tokens [r, r]: previous-token, duplicate-token and induction
 * [layer][head] grids, and the successor score when the model has a tokenizer (tasks whose items
 * are not single tokens are listed as skipped).
 */
import { parseArgs } from 'node:util';
import { headLabel } from '../../analysis/methods/head-location.ts';
import { headScores } from '../../analysis/methods/head-scores.ts';
import { oneOf, parseInteger, UsageError } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { modelFlags } from './run.ts';

export const HEADS_USAGE = `probescope heads --model <dir | builtin:stories260K> [--n 20] [--batch 4] [--seed 0] [--bos]
  [--no-successor] [--top 3] [--backend cpu|webgpu] [--json]`;

function positive(flag: string, value: string | undefined, fallback: number): number {
  const n = parseInteger(flag, value, fallback);
  if (n < 1) throw new UsageError(`${flag}: expected a positive integer, got ${n}`);
  return n;
}

/** The k highest-scoring heads of a [layer][head] grid, best first. */
function topHeads(grid: number[][], k: number): string {
  const all = grid.flatMap((row, layer) => row.map((score, head) => ({ layer, head, score })));
  return all.sort((a, b) => b.score - a.score).slice(0, k).map((h) => `${headLabel(h)} ${h.score.toFixed(3)}`).join('  ');
}

export async function headsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: modelFlags.model,
      backend: modelFlags.backend,
      json: modelFlags.json,
      n: { type: 'string' },
      batch: { type: 'string' },
      seed: { type: 'string' },
      bos: { type: 'boolean' },
      'no-successor': { type: 'boolean' },
      top: { type: 'string' },
    },
  });
  const n = positive('--n', values.n, 20);
  const batch = positive('--batch', values.batch, 4);
  const seed = parseInteger('--seed', values.seed, 0);
  const top = positive('--top', values.top, 3);
  const model = await openModel(values.model, await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu')));
  const s = await headScores(model, { n, batch, seed, prependBos: values.bos ?? false, successor: !values['no-successor'] });
  if (values.json) {
    printJson({
      n: s.n,
      batch,
      seed,
      bos: values.bos ?? false,
      previous_token: s.previousToken,
      duplicate_token: s.duplicateToken,
      induction: s.induction,
      successor: s.successor,
      successor_skipped: s.successorSkipped,
    });
    return 0;
  }
  console.log(`head scores of ${model.label} on ${batch} × [r, r] with n = ${n} (seed ${seed}${values.bos ? ', BOS first' : ''})`);
  console.log(`  previous-token   ${topHeads(s.previousToken, top)}`);
  console.log(`  duplicate-token  ${topHeads(s.duplicateToken, top)}`);
  console.log(`  induction        ${topHeads(s.induction, top)}`);
  if (s.successor?.scores) console.log(`  successor        ${topHeads(s.successor.scores, top)}  (${s.successor.pairs} pairs)`);
  for (const t of s.successor?.tasks ?? []) if (!t.used) console.log(`  skipped task "${t.name}": not single tokens: ${t.missing.join(' ')}`);
  if (s.successorSkipped) console.log(`  successor: ${s.successorSkipped}`);
  return 0;
}
