/**
 * probescope lens --model M (--prompt TEXT | --ids 1,2,3) [--pos P (negative: --pos=-2)] [--top-k K] [--targets IDS]
 *   [--read-from resid_pre|resid_post] [--no-bos] [--backend cpu|webgpu] [--json]
 *
 * Logit lens at one position (default the last): one entry per layer's residual plus the final
 * residual (L+1 entries with resid_pre; the last equals the model's logits).
 */
import { parseArgs } from 'node:util';
import { logitLens } from '../../analysis/methods/logit-lens.ts';
import { oneOf, parseIds, parseInteger, UsageError } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { inputFrom, modelFlags } from './run.ts';

export const LENS_USAGE = `probescope lens --model <dir | builtin:stories260K> (--prompt TEXT | --ids 1,2,3) [--pos P (negative: --pos=-2)]
  [--top-k K] [--targets 5,17] [--read-from resid_pre|resid_post] [--no-bos] [--backend cpu|webgpu] [--json]`;

export async function lensCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...modelFlags, pos: { type: 'string' }, 'top-k': { type: 'string' }, targets: { type: 'string' }, 'read-from': { type: 'string' } },
  });
  const input = inputFrom(values);
  const pos = parseInteger('--pos', values.pos, -1);
  const topK = parseInteger('--top-k', values['top-k'], 10);
  if (topK < 1) throw new UsageError(`--top-k: expected a positive integer, got ${topK}`);
  const targets = values.targets === undefined ? [] : parseIds('--targets', values.targets);
  const readFrom = oneOf('--read-from', values['read-from'], ['resid_pre', 'resid_post'], 'resid_pre');
  const backend = await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu'));
  const model = await openModel(values.model, backend);
  const lens = await logitLens(model, input, { positions: [pos], topK, targets, readFrom, prependBos: values['no-bos'] ? false : undefined });
  const layers = lens.entries.map((e) => ({
    layer: e.layer,
    hook: e.hook,
    top: e.readings[0].top.map(({ id, token, prob, logprob }) => ({ id, token, prob, logprob })),
    ...(targets.length > 0 ? { targets: e.readings[0].targets.map(({ id, token, rank, prob, logprob, logit }) => ({ id, token, rank, prob, logprob, logit })) } : {}),
  }));
  if (values.json) {
    printJson({ ids: lens.ids, pos: lens.positions[0], read_from: readFrom, layers });
    return 0;
  }
  const show = (t: { id: number; token: string | null }) => (t.token === null ? String(t.id) : JSON.stringify(t.token));
  console.log(`logit lens at position ${lens.positions[0]} (${readFrom}; last row = the model's output)`);
  for (const e of layers) {
    console.log(`${String(e.layer).padStart(3)}  ${e.top.map((t) => `${show(t)} ${t.prob.toFixed(3)}`).join('  ')}`);
    for (const t of e.targets ?? []) console.log(`     target ${show(t)}: rank ${t.rank}, p ${t.prob.toExponential(2)}, logit ${t.logit.toFixed(3)}`);
  }
  return 0;
}
