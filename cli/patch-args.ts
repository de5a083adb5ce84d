/**
 * The flags patching-style commands share (patch, attrib): clean input, one corruption, the
 * swept hook, the logit-difference metric and its position — parsed once, validated the same way.
 */
import type { Corruption } from '../analysis/methods/corruption.ts';
import type { PatchHook } from '../analysis/methods/patch-cells.ts';
import { PATCH_HOOKS } from '../analysis/methods/patch-cells.ts';
import type { Model } from '../analysis/model/model.ts';
import { tokenize } from '../analysis/model/run.ts';
import { oneOf, parseIds, parseInteger, parseNumber, UsageError } from './args.ts';
import { openBackend, openModel } from './open.ts';
import { modelFlags } from './commands/run.ts';

const { model, 'no-bos': noBos, backend, json } = modelFlags;

export const patchFlags = {
  model,
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
} as const;

export type PatchFlagValues = { [K in keyof typeof patchFlags]?: (typeof patchFlags)[K]['type'] extends 'boolean' ? boolean : string };

export interface PatchSetup {
  readonly model: Model;
  readonly hook: PatchHook;
  readonly byPosition: boolean;
  readonly clean: number[];
  readonly corruption: Corruption;
  readonly answer: number;
  readonly wrong: number | undefined;
  /** Absolute metric position (negative flags counted from the end), or undefined for the last. */
  readonly position: number | undefined;
}

/** Ids given directly, or text tokenized by the model's tokenizer. */
function promptIds(model: Model, name: string, ids: string | undefined, text: string | undefined, prependBos: boolean | undefined): number[] | undefined {
  if (ids !== undefined && text !== undefined) throw new UsageError(`give either --${name}-ids or --${name}-prompt, not both`);
  if (ids !== undefined) return parseIds(`--${name}-ids`, ids);
  if (text !== undefined) return tokenize(model, { text }, prependBos)[0];
  return undefined;
}

export async function readPatchSetup(values: PatchFlagValues): Promise<PatchSetup> {
  const hook = oneOf<PatchHook>('--hook', values.hook, PATCH_HOOKS, 'resid_pre');
  const answer = parseInteger('--answer', values.answer);
  if (answer === undefined) throw new UsageError('--answer is required: the metric is logit[answer] − logit[wrong]');
  const wrong = parseInteger('--wrong', values.wrong);
  const corruptGiven = [values['corrupt-ids'], values['corrupt-prompt'], values['noise-pos']].filter((v) => v !== undefined).length;
  if (corruptGiven !== 1) throw new UsageError('give exactly one corruption: --corrupt-ids, --corrupt-prompt or --noise-pos');
  const opened = await openModel(values.model, await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu')));
  const prependBos = values['no-bos'] ? false : undefined;
  const clean = promptIds(opened, 'clean', values['clean-ids'], values['clean-prompt'], prependBos);
  if (!clean) throw new UsageError('give the clean input as --clean-ids 1,2,3 or --clean-prompt TEXT');
  const corruptIds = promptIds(opened, 'corrupt', values['corrupt-ids'], values['corrupt-prompt'], prependBos);
  const corruption: Corruption = corruptIds
    ? { kind: 'tokens', ids: corruptIds }
    : {
        kind: 'noise',
        positions: parseIds('--noise-pos', values['noise-pos']!),
        seed: parseInteger('--noise-seed', values['noise-seed'], 0),
        sigma: parseNumber('--noise-sigma', values['noise-sigma']),
      };
  const pos = values.pos === undefined ? undefined : parseInteger('--pos', values.pos, -1);
  return {
    model: opened,
    hook,
    byPosition: hook === 'pattern' ? false : !values['all-positions'],
    clean,
    corruption,
    answer,
    wrong,
    position: pos !== undefined && pos < 0 ? clean.length + pos : pos,
  };
}
