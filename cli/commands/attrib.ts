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
import { nested, PATCH_HOOKS } from '../../analysis/methods/patch-cells.ts';
import { patchFlags, readPatchSetup } from '../patch-args.ts';
import { printJson } from '../output.ts';

export const ATTRIB_USAGE = `probescope attrib --model <dir | builtin:stories260K> (--clean-ids 1,2,3 | --clean-prompt TEXT)
  (--corrupt-ids 1,2,3 | --corrupt-prompt TEXT | --noise-pos P[,P] [--noise-seed S] [--noise-sigma X])
  --answer A [--wrong B] [--hook ${PATCH_HOOKS.join('|')}] [--all-positions]
  [--pos P (negative: --pos=-2)] [--no-exact] [--no-bos] [--backend cpu|webgpu] [--json]`;

export async function attribCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...patchFlags,
      'no-exact': { type: 'boolean' },
    },
  });
  const setup = await readPatchSetup(values);
  const { model, clean, corruption, answer, wrong } = setup;
  const r = await attributionPatching(model, {
    clean,
    corruption,
    hook: setup.hook,
    byPosition: setup.byPosition,
    answer,
    wrong,
    position: setup.position,
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
