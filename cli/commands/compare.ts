/**
 * probescope compare --model A --model-b B (--prompt TEXT | --ids 1,2,3) [--no-bos]
 *   [--backend auto|cpu|cpu-ref|webgpu|llama.cpp] [--json]
 *
 * Runs the same tokens (tokenized by A) through two checkpoints of one architecture — e.g. a
 * BF16 folder and its Q4_0 GGUF — and reports where they differ: per position the largest logit
 * difference, KL(A‖B) and the two argmaxes; per layer the relative residual-stream difference
 * (analysis/methods/compare-models.ts).
 */
import { compareModels } from '../../analysis/methods/compare-models.ts';
import { tokenize, type ModelInput } from '../../analysis/model/run.ts';
import { oneOf, parseIds, UsageError } from '../args.ts';
import { flagValue, parseFlags } from '../argv.ts';
import { BACKEND_NAMES, openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';

export const COMPARE_USAGE = [
  'probescope compare --model A --model-b B (--prompt TEXT | --ids 1,2,3) [--no-bos] [--backend auto|cpu|cpu-ref|webgpu|llama.cpp] [--json]',
  '  Two checkpoints of one architecture (folders or .gguf files) on the same tokens: logit',
  '  difference, KL and argmax agreement per position; relative residual difference per layer.',
].join('\n');

const FLAGS = [{ name: 'model' }, { name: 'model-b' }, { name: 'prompt' }, { name: 'ids' }, { name: 'backend' }, { name: 'no-bos', switch: true }, { name: 'json', switch: true }];

const bar = (v: number, scale: number): string => '█'.repeat(Math.max(0, Math.min(40, Math.round((v / scale) * 40))));

export async function compareCommand(argv: string[]): Promise<number> {
  const values = parseFlags('compare', argv, FLAGS);
  const prompt = flagValue(values, 'prompt');
  const idsFlag = flagValue(values, 'ids');
  if ((prompt === undefined) === (idsFlag === undefined)) throw new UsageError('give the input as either --prompt TEXT or --ids 1,2,3');
  if (flagValue(values, 'model-b') === undefined) throw new UsageError('--model-b is required (the checkpoint to compare with --model)');
  const backend = await openBackend(oneOf('--backend', flagValue(values, 'backend'), BACKEND_NAMES, 'auto'));
  const a = await openModel(flagValue(values, 'model'), backend);
  const b = await openModel(flagValue(values, 'model-b'), backend);
  const input: ModelInput = idsFlag !== undefined ? { ids: parseIds('--ids', idsFlag) } : { text: prompt! };
  const [ids] = tokenize(a, input, values.get('no-bos') === true ? false : undefined);
  const result = await compareModels(a, b, ids);
  if (values.get('json') === true) {
    printJson({ a: a.label, b: b.label, ...result });
    return 0;
  }
  const { summary } = result;
  console.log(`${a.label}  vs  ${b.label}  (${ids.length} tokens)`);
  console.log(`max |Δlogit| ${summary.maxAbsLogitDiff.toPrecision(3)} · mean KL ${summary.meanKl.toPrecision(3)} · argmax agreement ${(100 * summary.top1Agreement).toFixed(1)}%`);
  console.log('relative residual difference after each block (mean over positions):');
  const top = Math.max(...result.residRelDiffMean, 1e-12);
  result.residRelDiffMean.forEach((v, l) => console.log(`  layer ${String(l).padStart(3)}  ${v.toExponential(2)}  ${bar(v, top)}`));
  return 0;
}
