/**
 * probescope attrib --model M (--clean-ids IDS | --clean-prompt TEXT)
 *   (--corrupt-ids IDS | --corrupt-prompt TEXT | --noise-pos P[,P] [--noise-seed S] [--noise-sigma X])
 *   --answer A [--wrong B] [--hook resid_pre|…|pattern] [--all-positions] [--pos P] [--no-exact]
 *   [--no-bos] [--backend cpu|webgpu] [--json]
 *
 * Attribution patching: the first-order estimate (a_clean − a_corrupt)·∂M/∂a of every cell of a
 * denoising sweep, beside exact patching (skip with --no-exact) and their Pearson correlation.
 * JSON: {"grid", "exact", "pearson", "axes", "shape", "clean", "corrupt", ...}; grids are nested
 * [layer][pos] (residual hooks), [layer][pos][head] (z/q/k/v), [layer][head] (--all-positions, pattern).
 */
import { parseArgs } from 'node:util';
import { attributionPatching } from '../../analysis/methods/attribution-patching.ts';
import type { Corruption } from '../../analysis/methods/corruption.ts';
import type { PatchHook } from '../../analysis/methods/patch-cells.ts';
import { nested, PATCH_HOOKS } from '../../analysis/methods/patch-cells.ts';
import type { Model } from '../../analysis/model/model.ts';
import { tokenize } from '../../analysis/model/run.ts';
import { oneOf, parseIds, parseInteger, parseNumber, UsageError } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { modelFlags } from './run.ts';

export const ATTRIB_USAGE = `probescope attrib --model <dir | builtin:stories260K> (--clean-ids 1,2,3 | --clean-prompt TEXT)
  (--corrupt-ids 1,2,3 | --corrupt-prompt TEXT | --noise-pos P[,P] [--noise-seed S] [--noise-sigma X])
  --answer A [--wrong B] [--hook ${PATCH_HOOKS.join('|')}] [--all-positions]
  [--pos P (negative: --pos=-2)] [--no-exact] [--no-bos] [--backend cpu|webgpu] [--json]`;

const { model: modelFlag, 'no-bos': noBos, backend, json } = modelFlags;

function promptIds(model: Model, name: string, ids: string | undefined, text: string | undefined, prependBos: boolean | undefined): number[] | undefined {
  if (ids !== undefined && text !== undefined) throw new UsageError(`give either --${name}-ids or --${name}-prompt, not both`);
  if (ids !== undefined) return parseIds(`--${name}-ids`, ids);
  if (text !== undefined) return tokenize(model, { text }, prependBos)[0];
  return undefined;
}

export async function attribCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: modelFlag,
      'no-bos': noBos,
      backend,
      json,
      'clean-ids': { type: 'string' },
      'clean-prompt': { type: 'string' },
      'corrupt-ids': { type: 'string' },
      'corrupt-prompt': { type: 'string' },
      'noise-pos': { type: 'string' },
      'noise-seed': { type: 'string' },
      'noise-sigma': { type: 'string' },
      hook: { type: 'string' },
      'all-positions': { type: 'boolean' },
      answer: { type: 'string' },
      wrong: { type: 'string' },
      pos: { type: 'string' },
      'no-exact': { type: 'boolean' },
    },
  });
  const which = oneOf<PatchHook>('--hook', values.hook, PATCH_HOOKS, 'resid_pre');
  const answer = parseInteger('--answer', values.answer);
  if (answer === undefined) throw new UsageError('--answer is required: the metric is logit[answer] − logit[wrong]');
  const wrong = parseInteger('--wrong', values.wrong);
  const corruptGiven = [values['corrupt-ids'], values['corrupt-prompt'], values['noise-pos']].filter((v) => v !== undefined).length;
  if (corruptGiven !== 1) throw new UsageError('give exactly one corruption: --corrupt-ids, --corrupt-prompt or --noise-pos');
  const model = await openModel(values.model, await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu')));
  const prependBos = values['no-bos'] ? false : undefined;
  const clean = promptIds(model, 'clean', values['clean-ids'], values['clean-prompt'], prependBos);
  if (!clean) throw new UsageError('give the clean input as --clean-ids 1,2,3 or --clean-prompt TEXT');
  const corruptIds = promptIds(model, 'corrupt', values['corrupt-ids'], values['corrupt-prompt'], prependBos);
  const corruption: Corruption = corruptIds
    ? { kind: 'tokens', ids: corruptIds }
    : {
        kind: 'noise',
        positions: parseIds('--noise-pos', values['noise-pos']!),
        seed: parseInteger('--noise-seed', values['noise-seed'], 0),
        sigma: parseNumber('--noise-sigma', values['noise-sigma']),
      };
  const pos = values.pos === undefined ? undefined : parseInteger('--pos', values.pos, -1);
  const r = await attributionPatching(model, {
    clean,
    corruption,
    hook: which,
    byPosition: which === 'pattern' ? false : !values['all-positions'],
    answer,
    wrong,
    position: pos !== undefined && pos < 0 ? clean.length + pos : pos,
    exact: !values['no-exact'],
  });
  if (values.json) {
    printJson({
      grid: nested(r.attribution, r.shape),
      ...(r.exact ? { exact: nested(r.exact, r.shape), pearson: r.pearson } : {}),
      hook: r.hook,
      axes: r.axes,
      shape: r.shape,
      clean: r.cleanMetric,
      corrupt: r.corruptedMetric,
      pos: r.position,
      answer,
      wrong: wrong ?? null,
      clean_ids: clean,
      corrupt_ids: r.corruptedIds,
    });
    return 0;
  }
  console.log(`attribution patching, ${r.hook} over [${r.axes.join(', ')}]; metric at position ${r.position}: clean ${r.cleanMetric.toFixed(4)}, corrupted ${r.corruptedMetric.toFixed(4)}`);
  console.log(`estimated change in metric per cell${r.exact ? ` (exact in brackets; Pearson r = ${r.pearson!.toFixed(4)})` : ''}:`);
  const inner = r.shape[r.shape.length - 1];
  for (let row = 0; row < r.attribution.length / inner; row++) {
    const cells = Array.from({ length: inner }, (_, i) => {
      const k = row * inner + i;
      return r.exact ? `${r.attribution[k].toFixed(3)} [${r.exact[k].toFixed(3)}]` : r.attribution[k].toFixed(3).padStart(7);
    });
    console.log(`  ${String(row).padStart(3)} ${cells.join('  ')}`);
  }
  return 0;
}
