/**
 * probescope dictionary-train --model M --out DIR [--hooks H,H | --resid-post | --transcoders L,L]
 *   [--corpus FILE | --samples N --length T] [--eval-samples N] [--seed S] [--d-sae F]
 *   [--architecture topk|jumprelu] [--k K] [--l0-coefficient L --bandwidth E --init-threshold T --pre-act C]
 *   [--steps N] [--batch B] [--lr LR] [--backend auto|cpu|cpu-ref|webgpu]
 *
 * Trains one TopK or JumpReLU SAE per hook (or transcoder per layer: ln2.hook_normalized → hook_mlp_out)
 * on the model's activations over a corpus: a JSON file of token-id sequences, or the model's own
 * seeded samples, which are written to DIR/corpus.json (training samples) so the run can be
 * repeated. Each dictionary goes to DIR/<hook>/ as a SAELens folder (cfg.json,
 * sae_weights.safetensors) with metrics.json, measured on separate seeded samples.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleCorpus, collectActivations } from '../../analysis/dictionaries/corpus.ts';
import { dictionaryOnBackend } from '../../analysis/dictionaries/device.ts';
import { dictionaryMetrics } from '../../analysis/dictionaries/metrics.ts';
import { saeLensFiles } from '../../analysis/dictionaries/saelens-writer.ts';
import type { TrainConfig } from '../../analysis/dictionaries/train.ts';
import { DEFAULT_JUMPRELU, DEFAULT_TRAIN, trainDictionary, trainedDictionary } from '../../analysis/dictionaries/train.ts';
import { hook } from '../../analysis/hooks/points.ts';
import { oneOf, parseInteger, parseNumber, UsageError } from '../args.ts';
import { BACKEND_NAMES, openBackend, openModel } from '../open.ts';

export const DICTIONARY_TRAIN_USAGE = `probescope dictionary-train --model <dir | builtin:stories260K> --out DIR
  [--hooks H,H | --resid-post | --transcoders L,L] [--corpus FILE | --samples N --length T]
  [--eval-samples N] [--seed S] [--d-sae F] [--architecture topk|jumprelu] [--k K]
  [--l0-coefficient L] [--bandwidth E] [--init-threshold T] [--pre-act C] (JumpReLU)
  [--steps N] [--batch B] [--lr LR] [--backend auto|cpu|cpu-ref|webgpu]`;

const ARCHITECTURES = ['topk', 'jumprelu'] as const;

function readCorpus(file: string): number[][] {
  const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const rows = (data as { sequences?: unknown }).sequences ?? data;
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.every((v) => Number.isInteger(v)))) {
    throw new UsageError(`--corpus ${file}: expected a JSON array of token-id arrays (or {"sequences": [...]})`);
  }
  return rows as number[][];
}

export async function dictionaryTrainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      hooks: { type: 'string' },
      'resid-post': { type: 'boolean' },
      transcoders: { type: 'string' },
      corpus: { type: 'string' },
      samples: { type: 'string' },
      length: { type: 'string' },
      'eval-samples': { type: 'string' },
      seed: { type: 'string' },
      'd-sae': { type: 'string' },
      architecture: { type: 'string' },
      k: { type: 'string' },
      'l0-coefficient': { type: 'string' },
      bandwidth: { type: 'string' },
      'init-threshold': { type: 'string' },
      'pre-act': { type: 'string' },
      steps: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  if (!values.out) throw new UsageError('--out DIR is required');
  const backend = await openBackend(oneOf('--backend', values.backend, BACKEND_NAMES, 'auto'));
  const model = await openModel(values.model, backend);
  const L = model.spec.nLayers;
  const pairs: [string, string][] = [];
  if (values['resid-post']) for (let l = 0; l < L; l++) pairs.push([hook.residPost(l), hook.residPost(l)]);
  if (values.hooks) for (const h of values.hooks.split(',')) pairs.push([h.trim(), h.trim()]);
  if (values.transcoders) {
    for (const s of values.transcoders.split(',')) {
      const l = parseInteger('--transcoders', s.trim());
      if (l === undefined || l < 0 || l >= L) throw new UsageError(`--transcoders: layer ${s} is outside [0, ${L})`);
      pairs.push([hook.lnNormalized(l, 2), hook.mlpOut(l)]);
    }
  }
  if (pairs.length === 0) throw new UsageError('say what to train: --hooks, --resid-post or --transcoders');
  const architecture = oneOf('--architecture', values.architecture, ARCHITECTURES, 'topk');
  if (architecture === 'jumprelu' && values.k !== undefined) throw new UsageError('--k is for --architecture topk; JumpReLU sets its sparsity with --l0-coefficient');
  const seed = parseInteger('--seed', values.seed, 0);
  const length = parseInteger('--length', values.length, 64);
  const log = (line: string) => void process.stderr.write(`${line}\n`);
  mkdirSync(values.out, { recursive: true });

  let corpus: number[][];
  if (values.corpus) corpus = readCorpus(values.corpus);
  else {
    const samples = parseInteger('--samples', values.samples, 200);
    log(`sampling ${samples} sequences of ${length} tokens from ${model.label} (seed ${seed})`);
    corpus = await sampleCorpus(model, { samples, length, seed });
    writeFileSync(join(values.out, 'corpus.json'), JSON.stringify({ model: model.label, seed, length, temperature: 1, sequences: corpus }));
  }
  const evalCount = parseInteger('--eval-samples', values['eval-samples'], 32);
  const positive = (flag: string, value: string | undefined, fallback: number): number => {
    const n = parseNumber(flag, value, fallback);
    if (!(n > 0)) throw new UsageError(`${flag}: must be positive (got ${value})`);
    return n;
  };
  // Held-out samples: seeds after the training corpus's.
  const evalCorpus = await sampleCorpus(model, { samples: evalCount, length, seed: seed + 1_000_000 });

  for (const [hookIn, hookOut] of pairs) {
    const data = await collectActivations(model, corpus, hookIn, hookOut);
    const common = {
      ...DEFAULT_TRAIN,
      dSae: parseInteger('--d-sae', values['d-sae'], 4 * data.dIn),
      steps: parseInteger('--steps', values.steps, 2000),
      batchSize: parseInteger('--batch', values.batch, DEFAULT_TRAIN.batchSize),
      lr: parseNumber('--lr', values.lr, DEFAULT_TRAIN.lr),
      seed,
    };
    const config: TrainConfig =
      architecture === 'jumprelu'
        ? {
            ...common,
            ...DEFAULT_JUMPRELU,
            l0Coefficient: positive('--l0-coefficient', values['l0-coefficient'], DEFAULT_JUMPRELU.l0Coefficient),
            bandwidth: positive('--bandwidth', values.bandwidth, DEFAULT_JUMPRELU.bandwidth),
            initThreshold: positive('--init-threshold', values['init-threshold'], DEFAULT_JUMPRELU.initThreshold),
            preActCoefficient: parseNumber('--pre-act', values['pre-act'], DEFAULT_JUMPRELU.preActCoefficient),
          }
        : { ...common, k: parseInteger('--k', values.k, 16) };
    const sparsity = config.architecture === 'jumprelu' ? `JumpReLU λ ${config.l0Coefficient}` : `k ${config.k}`;
    log(`${hookIn}${hookOut !== hookIn ? ` → ${hookOut}` : ''}: ${data.n} positions, d_sae ${config.dSae}, ${sparsity}, ${config.steps} steps`);
    const { state } = await trainDictionary(backend, data, config, {
      onProgress: (p) => p.step % 250 === 0 && log(`  step ${p.step}/${p.steps}: mse ${p.loss.toExponential(3)}, dead ${(100 * p.deadFraction).toFixed(1)}%`),
    });
    const dict = trainedDictionary(state, data, config, { label: `${model.label} ${hookOut}`, hookIn, hookOut, modelName: model.label });
    const metrics = await dictionaryMetrics(model, dictionaryOnBackend(dict, backend), evalCorpus);
    const folder = join(values.out, hookOut);
    mkdirSync(folder, { recursive: true });
    for (const [name, bytes] of Object.entries(saeLensFiles(dict, { contextSize: length }))) writeFileSync(join(folder, name), bytes);
    const summary = { hookIn, hookOut, architecture: dict.config.architecture, dSae: config.dSae, ...(config.architecture === 'jumprelu' ? { l0Coefficient: config.l0Coefficient } : { k: config.k }), steps: config.steps, trainPositions: data.n, evalSamples: evalCount, seed, ...metrics };
    writeFileSync(join(folder, 'metrics.json'), `${JSON.stringify(summary, null, 2)}\n`);
    log(`  explained variance ${metrics.explainedVariance.toFixed(4)}, CE loss recovered ${metrics.ceLossRecovered.toFixed(4)}, mean L0 ${metrics.meanL0.toFixed(2)}, dead ${(100 * metrics.deadFraction).toFixed(1)}%`);
  }
  return 0;
}
