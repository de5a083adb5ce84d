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
import { nested, PATCH_HOOKS } from '../../analysis/methods/patch-cells.ts';
import { activationPatching } from '../../analysis/methods/patching.ts';
import { patchFlags, readPatchSetup } from '../patch-args.ts';
import { printJson } from '../output.ts';

export const PATCH_USAGE = `probescope patch --model <dir | builtin:stories260K> (--clean-ids 1,2,3 | --clean-prompt TEXT)
  (--corrupt-ids 1,2,3 | --corrupt-prompt TEXT | --noise-pos P[,P] [--noise-seed S] [--noise-sigma X])
  [--hook ${PATCH_HOOKS.join('|')}] [--all-positions] --answer A [--wrong B]
  [--pos P (negative: --pos=-2)] [--noising] [--naive] [--no-bos] [--backend cpu|webgpu] [--json]`;

export async function patchCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...patchFlags,
      noising: { type: 'boolean' },
      naive: { type: 'boolean' },
    },
  });
  const setup = await readPatchSetup(values);
  const { model, clean, corruption, answer, wrong } = setup;
  const r = await activationPatching(model, {
    clean,
    corruption,
    hook: setup.hook,
    byPosition: setup.byPosition,
    metric: { answer, wrong },
    position: setup.position,
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
