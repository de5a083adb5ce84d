/**
 * probescope dla --model M (--prompt TEXT | --ids 1,2,3) [--answer A] [--wrong B] [--pos P (negative: --pos=-2)]
 *   [--uncentred] [--no-bos] [--backend cpu|webgpu] [--json]
 *
 * Direct logit attribution of logit[A] (− logit[B]) at one position (default the last; A defaults
 * to the argmax there). Components sum to the metric minus b_U's share.
 */
import { parseArgs } from 'node:util';
import { directLogitAttribution } from '../../analysis/methods/dla.ts';
import { oneOf, parseInteger } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { inputFrom, modelFlags } from './run.ts';

export const DLA_USAGE = `probescope dla --model <dir | builtin:stories260K> (--prompt TEXT | --ids 1,2,3) [--answer A] [--wrong B]
  [--pos P (negative: --pos=-2)] [--uncentred] [--no-bos] [--backend cpu|webgpu] [--json]`;

export async function dlaCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...modelFlags, answer: { type: 'string' }, wrong: { type: 'string' }, pos: { type: 'string' }, uncentred: { type: 'boolean' } },
  });
  const input = inputFrom(values);
  const answer = parseInteger('--answer', values.answer);
  const wrong = parseInteger('--wrong', values.wrong);
  const pos = parseInteger('--pos', values.pos, -1);
  const backend = await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu'));
  const model = await openModel(values.model, backend);
  const r = await directLogitAttribution(model, input, { answer, wrong, pos, centred: !values.uncentred, prependBos: values['no-bos'] ? false : undefined });
  if (values.json) {
    printJson({
      ids: r.ids,
      pos: r.pos,
      answer: r.answer,
      wrong: r.wrong,
      centred: r.centred,
      components: r.components.map(({ name, value }) => ({ name, value })),
      total: r.total,
      metric: r.metric,
      unembed_bias: r.unembedBias,
    });
    return 0;
  }
  const label = (id: number) => (model.tokenizer ? `${JSON.stringify(model.tokenizer.tokenString(id))} (${id})` : String(id));
  console.log(`DLA at position ${r.pos}: logit ${label(r.answer)}${r.wrong === null ? '' : ` − logit ${label(r.wrong)}`} = ${r.metric.toFixed(4)}`);
  const width = Math.max(...r.components.map((c) => c.name.length));
  for (const c of r.components) console.log(`  ${c.name.padEnd(width)}  ${c.value >= 0 ? ' ' : ''}${c.value.toFixed(4)}`);
  console.log(`  ${'total'.padEnd(width)}  ${r.total >= 0 ? ' ' : ''}${r.total.toFixed(4)}${r.unembedBias !== 0 ? ` (+ b_U ${r.unembedBias.toFixed(4)})` : ''}`);
  return 0;
}
