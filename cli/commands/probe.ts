/**
 * probescope probe --model M --dataset FILE.json|builtin:subject-gender [--hook resid_post] [--position last|mean]
 *   [--method logistic|naive_bayes|mean_difference] [--layers 0,2] [--l2 X] [--test-fraction F] [--seed S]
 *   [--top-k K] [--save FILE.json] [--backend cpu|webgpu] [--json]
 *
 * Linear probes per layer: train/test accuracy and AUC beside the majority baseline, easy→hard
 * transfer when the dataset has "easy"/"hard" difficulties, the probe direction's top decoded
 * tokens; --save writes the trained probes (one per layer) as a JSON array.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ProbeMethod } from '../../analysis/methods/probe.ts';
import { probe } from '../../analysis/methods/probe.ts';
import type { ProbeDataset, ProbePosition } from '../../analysis/methods/probe-data.ts';
import { parseProbeDataset, subjectGenderDataset } from '../../analysis/methods/probe-data.ts';
import { oneOf, parseIds, parseInteger, parseNumber, UsageError } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { modelFlags } from './run.ts';

export const PROBE_USAGE = `probescope probe --model <dir | builtin:stories260K> --dataset FILE.json|builtin:subject-gender [--hook resid_post]
  [--position last|mean] [--method logistic|naive_bayes|mean_difference] [--layers 0,2] [--l2 0.01]
  [--test-fraction 0.3] [--seed 0] [--top-k 5] [--save FILE.json] [--backend cpu|webgpu] [--json]`;

const METHODS: readonly ProbeMethod[] = ['logistic', 'naive_bayes', 'mean_difference'];

function readDataset(value: string | undefined): ProbeDataset {
  if (value === undefined) throw new UsageError('--dataset is required (a JSON file {examples: [{prompt, label, difficulty?, split?}]}, or builtin:subject-gender)');
  if (value === 'builtin:subject-gender') return subjectGenderDataset();
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (e) {
    throw new UsageError(`--dataset: cannot read ${value} (${(e as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`--dataset: ${value} is not valid JSON (${(e as Error).message})`);
  }
  return parseProbeDataset(data, value);
}

export async function probeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: modelFlags.model,
      backend: modelFlags.backend,
      json: modelFlags.json,
      dataset: { type: 'string' },
      hook: { type: 'string' },
      position: { type: 'string' },
      method: { type: 'string' },
      layers: { type: 'string' },
      l2: { type: 'string' },
      'test-fraction': { type: 'string' },
      seed: { type: 'string' },
      'top-k': { type: 'string' },
      save: { type: 'string' },
    },
  });
  const dataset = readDataset(values.dataset);
  const method = oneOf<ProbeMethod>('--method', values.method, METHODS, 'logistic');
  const position = oneOf<ProbePosition>('--position', values.position, ['last', 'mean'], 'last');
  const testFraction = parseNumber('--test-fraction', values['test-fraction'], 0.3);
  if (!(testFraction > 0 && testFraction < 1)) throw new UsageError(`--test-fraction: expected a number in (0, 1), got ${testFraction}`);
  const topK = parseInteger('--top-k', values['top-k'], 5);
  if (topK < 0) throw new UsageError(`--top-k: expected a non-negative integer, got ${topK}`);
  const backend = await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu'));
  const model = await openModel(values.model, backend);
  const r = await probe(model, {
    dataset,
    hook: values.hook ?? 'resid_post',
    layers: values.layers === undefined ? undefined : parseIds('--layers', values.layers),
    position,
    method,
    l2: parseNumber('--l2', values.l2),
    testFraction,
    seed: parseInteger('--seed', values.seed, 0),
    decodeTopK: topK,
  });
  if (values.save !== undefined) writeFileSync(values.save, JSON.stringify(r.layers.map((l) => l.probe)) + '\n');
  const out = {
    classes: r.classes,
    method: r.method,
    position: r.position,
    n_train: r.nTrain,
    n_test: r.nTest,
    layers: r.layers.map((l) => ({
      layer: l.layer,
      hook: l.hook,
      train_accuracy: l.trainAccuracy,
      test_accuracy: l.testAccuracy,
      train_auc: l.trainAuc,
      test_auc: l.testAuc,
      majority_baseline: l.testMajorityBaseline,
      decoded: l.decoded?.map((d) => ({ top: d.top.map((t) => t.token ?? t.id), bottom: d.bottom.map((t) => t.token ?? t.id) })) ?? null,
    })),
    transfer: r.transfer?.map((t) => ({ layer: t.layer, easy_to_hard: t.easyToHard, hard_to_hard: t.hardToHard, chance: t.chance, gap_recovered: t.gapRecovered })) ?? null,
  };
  if (values.json) {
    printJson(out);
    return 0;
  }
  console.log(`${r.method} probes at ${r.position} token, classes ${r.classes.join(' / ')}; ${r.nTrain} train, ${r.nTest} test examples`);
  console.log('layer  train acc  test acc  test AUC  baseline');
  for (const l of out.layers) {
    const cells = [l.train_accuracy, l.test_accuracy, l.test_auc, l.majority_baseline].map((v) => v.toFixed(3).padStart(8));
    console.log(`${String(l.layer).padEnd(5)} ${cells.join('  ')}`);
  }
  for (const t of out.transfer ?? []) console.log(`layer ${t.layer} easy→hard ${t.easy_to_hard.toFixed(3)}, hard→hard ${t.hard_to_hard.toFixed(3)}, gap recovered ${t.gap_recovered.toFixed(3)}`);
  return 0;
}
