/**
 * probescope patch --model M (--clean-ids IDS | --clean-prompt TEXT)
 *   (--corrupt-ids IDS | --corrupt-prompt TEXT | --noise-pos P[,P] [--noise-seed S] [--noise-sigma X])
 *   [--hook resid_pre|resid_mid|resid_post|attn_out|mlp_out|z|q|k|v|pattern] [--all-positions]
 *   --answer A [--wrong B] [--pos P] [--noising] [--naive] [--no-bos] [--backend cpu|webgpu] [--json]
 *
 * Activation patching sweep; metric = logit[A] − logit[B] at position P (default the last).
 * JSON: {"clean", "corrupt", "grid", "normalized", ...}: grid is [layer][pos] for residual hooks,
 * [layer][pos][head] for z/q/k/v, [layer][head] with --all-positions or for pattern.
 */
import { parseArgs } from 'node:util';
import type { Corruption } from '../../analysis/methods/corruption.ts';
import type { PatchHook } from '../../analysis/methods/patch-cells.ts';
import { nested, PATCH_HOOKS } from '../../analysis/methods/patch-cells.ts';
import { activationPatching } from '../../analysis/methods/patching.ts';
import type { Model } from '../../analysis/model/model.ts';
import { tokenize } from '../../analysis/model/run.ts';
import { oneOf, parseIds, parseInteger, parseNumber, UsageError } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { modelFlags } from './run.ts';

export const PATCH_USAGE = `probescope patch --model <dir | builtin:stories260K> (--clean-ids 1,2,3 | --clean-prompt TEXT)
  (--corrupt-ids 1,2,3 | --corrupt-prompt TEXT | --noise-pos P[,P] [--noise-seed S] [--noise-sigma X])
  [--hook ${PATCH_HOOKS.join('|')}] [--all-positions] --answer A [--wrong B]
  [--pos P (negative: --pos=-2)] [--noising] [--naive] [--no-bos] [--backend cpu|webgpu] [--json]`;

const { model: modelFlag, 'no-bos': noBos, backend, json } = modelFlags;

/** Ids given directly, or text tokenized by the model's tokenizer. */
function promptIds(model: Model, name: string, ids: string | undefined, text: string | undefined, prependBos: boolean | undefined): number[] | undefined {
  if (ids !== undefined && text !== undefined) throw new UsageError(`give either --${name}-ids or --${name}-prompt, not both`);
  if (ids !== undefined) return parseIds(`--${name}-ids`, ids);
  if (text !== undefined) return tokenize(model, { text }, prependBos)[0];
  return undefined;
}

export async function patchCommand(argv: string[]): Promise<number> {
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
      noising: { type: 'boolean' },
      naive: { type: 'boolean' },
    },
  });
  const which = oneOf<PatchHook>('--hook', values.hook, PATCH_HOOKS, 'resid_pre');
  const answer = parseInteger('--answer', values.answer);
  if (answer === undefined) throw new UsageError('--answer is required: the metric is logit[answer] − logit[wrong]');
  const wrong = parseInteger('--wrong', values.wrong);
  const corruptGiven = [values['corrupt-ids'], values['corrupt-prompt'], values['noise-pos']].filter((v) => v !== undefined).length;
  if (corruptGiven !== 1) throw new UsageError('give exactly one corruption: --corrupt-ids, --corrupt-prompt or --noise-pos');
  const backendName = oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu');
  const model = await openModel(values.model, await openBackend(backendName));
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
  const position = values.pos === undefined ? undefined : parseInteger('--pos', values.pos, -1);
  const r = await activationPatching(model, {
    clean,
    corruption,
    hook: which,
    byPosition: which === 'pattern' ? false : !values['all-positions'],
    metric: { answer, wrong },
    position: position !== undefined && position < 0 ? clean.length + position : position,
    direction: values.noising ? 'noising' : 'denoising',
    mode: values.naive ? 'naive' : 'reuse',
  });
  if (values.json) {
    printJson({
      clean: r.cleanMetric,
      corrupt: r.corruptedMetric,
      grid: nested(r.metric, r.shape),
      normalized: nested(r.normalized, r.shape),
      hook: r.hook,
      axes: r.axes,
      shape: r.shape,
      direction: r.direction,
      pos: r.position,
      answer,
      wrong: wrong ?? null,
      clean_ids: clean,
      corrupt_ids: r.corruptedIds,
      noise_sigma: r.noiseSigma,
    });
    return 0;
  }
  console.log(`${r.direction} ${r.hook} sweep over [${r.axes.join(', ')}]; metric at position ${r.position}: clean ${r.cleanMetric.toFixed(4)}, corrupted ${r.corruptedMetric.toFixed(4)}`);
  console.log('normalised metric (1 = clean restored):');
  const inner = r.shape[r.shape.length - 1];
  for (let row = 0; row < r.normalized.length / inner; row++) {
    const cells = Array.from(r.normalized.subarray(row * inner, (row + 1) * inner), (v) => v.toFixed(3).padStart(7));
    console.log(`  ${String(row).padStart(3)} ${cells.join(' ')}`);
  }
  return 0;
}
