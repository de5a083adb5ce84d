/**
 * probescope linearscope --model M (--prompt TEXT | --ids 1,2,3) --target T [--wrong W]
 *   [--mode secant|tangent] [--pos P] [--start HOOK] [--top-k K] [--no-bos] [--backend cpu|webgpu] [--json]
 *
 * LinearScope linear replay of logit[T] (− logit[W]) at position P (default the last): the bias,
 * per-source-position and per-component contributions (secant: exact, they sum with the bias to
 * the logit; tangent: the local Jacobian's split), the replay at x0, and the LM-head decoding of
 * the metric's pull-back to the start hook at each position.
 * JSON: {"bias", "per_position", "per_component", "replay", "logit", "components", "grid", ...}.
 */
import { parseArgs } from 'node:util';
import type { LinearScopeMode } from '../../analysis/methods/linearscope.ts';
import { linearScope } from '../../analysis/methods/linearscope.ts';
import { tokenize } from '../../analysis/model/run.ts';
import { oneOf, parseInteger, UsageError } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { inputFrom, modelFlags } from './run.ts';

export const LINEARSCOPE_USAGE = `probescope linearscope --model <dir | builtin:stories260K> (--prompt TEXT | --ids 1,2,3) --target T [--wrong W]
  [--mode secant|tangent] [--pos P (negative: --pos=-2)] [--start blocks.L.hook_resid_pre|mid|post]
  [--top-k K] [--no-bos] [--backend cpu|webgpu] [--json]`;

export async function linearscopeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...modelFlags,
      target: { type: 'string' },
      wrong: { type: 'string' },
      mode: { type: 'string' },
      pos: { type: 'string' },
      start: { type: 'string' },
      'top-k': { type: 'string' },
    },
  });
  const input = inputFrom(values);
  const target = parseInteger('--target', values.target);
  if (target === undefined) throw new UsageError('--target is required: the metric is logit[target] (− logit[wrong])');
  const wrong = parseInteger('--wrong', values.wrong);
  const mode = oneOf<LinearScopeMode>('--mode', values.mode, ['secant', 'tangent'], 'secant');
  const pos = values.pos === undefined ? undefined : parseInteger('--pos', values.pos, -1);
  const model = await openModel(values.model, await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu')));
  const prependBos = values['no-bos'] ? false : undefined;
  const position = pos !== undefined && pos < 0 ? tokenize(model, input, prependBos)[0].length + pos : pos;
  const r = await linearScope(model, input, {
    target,
    wrong,
    mode,
    position,
    start: values.start,
    decodeTopK: parseInteger('--top-k', values['top-k'], 10),
    prependBos,
  });
  const tokenOf = (id: number) => (model.tokenizer ? model.tokenizer.tokenString(id) : null);
  if (values.json) {
    printJson({
      bias: r.bias,
      per_position: r.perPosition,
      per_component: Object.fromEntries(r.components.map((c, i) => [c, r.perComponent[i]])),
      replay: r.replay,
      logit: r.logit,
      mode: r.mode,
      start: r.start,
      pos: r.position,
      target: r.target,
      wrong: r.wrong,
      ids: r.ids,
      components: r.components,
      grid: r.grid,
      bias_terms: r.biasTerms,
      decoded: r.decoded.map((d) => ({
        pos: d.pos,
        top: d.top.map((t) => ({ id: t.id, token: t.token, value: t.value })),
        bottom: d.bottom.map((t) => ({ id: t.id, token: t.token, value: t.value })),
      })),
    });
    return 0;
  }
  const label = (id: number) => (tokenOf(id) === null ? String(id) : `${JSON.stringify(tokenOf(id))} (${id})`);
  console.log(`LinearScope (${r.mode}) from ${r.start}: logit ${label(r.target)}${r.wrong === null ? '' : ` − logit ${label(r.wrong)}`} at position ${r.position} = ${r.logit.toFixed(4)}; replay ${r.replay.toFixed(4)}; bias ${r.bias.toFixed(4)}`);
  console.log('per source position:');
  r.perPosition.forEach((v, j) => console.log(`  ${String(j).padStart(3)} ${label(r.ids[j]).padEnd(16)} ${v.toFixed(4)}`));
  const order = r.components.map((_, i) => i).sort((a, b) => Math.abs(r.perComponent[b]) - Math.abs(r.perComponent[a])).slice(0, 10);
  console.log('largest components:');
  for (const i of order) console.log(`  ${r.components[i].padEnd(24)} ${r.perComponent[i].toFixed(4)}`);
  const last = r.decoded[r.position];
  console.log(`pull-back at position ${r.position} decodes to: ${last.top.map((t) => label(t.id)).join(' ')}`);
  return 0;
}
