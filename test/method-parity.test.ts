/**
 * One method, one definition: for every method of the registry, on the same model, backend and
 * inputs, the CLI's `--json` output, the notebook step's result and the app worker's `method`
 * job result are the same JSON. The cases give each method's inputs once, in the notebook's
 * terms (prompts by index, tokens as one-token strings), and the CLI flags that say the same.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../analysis/json.ts';
import type { PromptItem } from '../analysis/registry/contract.ts';
import { METHODS } from '../analysis/registry/registry.ts';
import { createWasmBackend } from '../gpu/wasm/index.ts';
import { MemoryCache } from '../notebooks/cache.ts';
import { nodeModelHost } from '../notebooks/node/model-host.ts';
import type { CellOutput } from '../notebooks/runner.ts';
import { runNotebook } from '../notebooks/runner.ts';
import { validateNotebook } from '../notebooks/validate.ts';
import type { Progress } from '../renderer/worker/contracts.ts';
import { createHandlers } from '../renderer/worker/handlers.ts';
import { WorkerJobContext } from '../renderer/worker/job-context.ts';
import type { JobHandlers } from '../renderer/worker/runner.ts';
import { EngineSession } from '../renderer/worker/session.ts';
import { jsonOf, runCli } from './cli-capture.ts';
import { fileTempDir } from './temp-dir.ts';

const STORY = 'Lily and Tim played. Lily gave the ball to';
const CLEAN = 'Once upon a time, there was a girl named Lily. One day,';
const CORRUPT = 'Once upon a time, there was a girl named Tim. One day,';
const NEEDLE = { needle: 'Lily had a pet frog named Max.', question: 'The frog was named', answer: 'Max' };
const DATASET = {
  examples: ['Lily', 'Sue', 'Tom', 'Ben'].flatMap((name, i) =>
    ['Once upon a time, there was a little NAME. One day,', 'NAME went to the park. Then'].map((t, k) => ({ prompt: t.replace('NAME', name), label: i < 2 ? 'girl' : 'boy', split: k === 0 ? 'train' : 'test' })),
  ),
};

interface Case {
  readonly prompts: readonly string[];
  /** Notebook params (prompts by index into `prompts`). */
  readonly params: Record<string, unknown>;
  /** The same as command-line flags. */
  readonly flags: readonly string[];
}

const metricFlags = ['--answer', '" Lily"', '--wrong', '" Tim"'];
const SAE = 'builtin:stories260K-saes/blocks.2.hook_resid_post';
const SAE_LAST = 'builtin:stories260K-saes/blocks.4.hook_resid_post';

const CASES: Record<string, Case> = {
  'run-model': {
    prompts: [STORY],
    params: { prompt: 0, interventions: [{ hook: 'blocks.3.attn.hook_z', op: 'zero', head: 2 }], capture: ['blocks.*.hook_resid_post'], topK: 3 },
    flags: ['--prompt', STORY, '--interventions', '[{"hook":"blocks.3.attn.hook_z","op":"zero","head":2}]', '--capture', 'blocks.*.hook_resid_post', '--top-k', '3'],
  },
  'logit-lens': { prompts: [STORY], params: { prompt: 0, topK: 3, targets: [' she', 7] }, flags: ['--prompt', STORY, '--top-k', '3', '--targets', '" she",7'] },
  'neuron-decoding': { prompts: [], params: { layer: 1, neuron: 3, topK: 4 }, flags: ['--layer', '1', '--neuron', '3', '--top-k', '4'] },
  dla: { prompts: [STORY], params: { prompt: 0, answer: ' Lily', wrong: ' Tim', position: -1 }, flags: ['--prompt', STORY, ...metricFlags, '--position', '-1'] },
  'head-ablation': { prompts: [STORY], params: { prompt: 0, mode: 'mean', layers: [0, 4] }, flags: ['--prompt', STORY, '--mode', 'mean', '--layers', '0,4'] },
  'ablate-heads': { prompts: [STORY], params: { prompt: 0, heads: ['1.2', '3.1'], mode: 'zero' }, flags: ['--prompt', STORY, '--heads', '1.2', '--heads', '3.1', '--mode', 'zero'] },
  'activation-patching': {
    prompts: [CLEAN, CORRUPT],
    params: { clean: 0, corrupted: 1, hook: 'z', byPosition: false, answer: ' Lily', wrong: ' Tim' },
    flags: ['--clean-prompt', CLEAN, '--corrupted-prompt', CORRUPT, '--hook', 'z', '--no-by-position', ...metricFlags],
  },
  'path-patching': {
    prompts: [CLEAN, CORRUPT],
    params: { clean: 0, corrupted: 1, senders: [{ layer: 2, head: 6 }], answer: ' Lily', wrong: ' Tim' },
    flags: ['--clean-prompt', CLEAN, '--corrupted-prompt', CORRUPT, '--senders', '[{"layer":2,"head":6}]', ...metricFlags],
  },
  'head-scores': { prompts: [], params: { n: 6, batch: 1 }, flags: ['--n', '6', '--batch', '1'] },
  'attribution-patching': {
    prompts: [CLEAN],
    params: { clean: 0, corrupted: { noise: { positions: [13] } }, hook: 'resid_pre', answer: ' Lily', wrong: ' Tim' },
    flags: ['--clean-prompt', CLEAN, '--noise-pos', '13', '--hook', 'resid_pre', ...metricFlags],
  },
  linearscope: { prompts: [CLEAN], params: { prompt: 0, target: ' Lily', wrong: ' Tim' }, flags: ['--prompt', CLEAN, '--target', '" Lily"', '--wrong', '" Tim"'] },
  probe: { prompts: [], params: { layers: [1, 3], decodeTopK: 2 }, flags: ['--layers', '1,3', '--decode-top-k', '2'] },
  obsprop: {
    prompts: [STORY],
    params: { positive: [' he'], negative: [' she'], prompt: 0, couplingHeads: 3, effects: 'zero' },
    flags: ['--prompt', STORY, '--positive', '" he"', '--negative', '" she"', '--coupling-heads', '3', '--effects', 'zero'],
  },
  'feature-dashboards': {
    prompts: [],
    params: { dictionary: SAE, feature: 3, samples: 4, length: 12, topContexts: 3 },
    flags: ['--dictionary', SAE, '--feature', '3', '--samples', '4', '--length', '12', '--top-contexts', '3'],
  },
  'feature-steer': {
    prompts: [STORY],
    params: { dictionary: SAE, feature: 3, value: 8, prompt: 0, maxNewTokens: 4 },
    flags: ['--dictionary', SAE, '--feature', '3', '--value', '8', '--prompt', STORY, '--max-new-tokens', '4'],
  },
  'feature-search': { prompts: [STORY], params: { dictionary: SAE, prompt: 0, top: 5 }, flags: ['--dictionary', SAE, '--prompt', STORY, '--top', '5'] },
  'feature-attribution': {
    prompts: [STORY],
    params: { dictionary: SAE_LAST, prompt: 0, answer: ' Lily', wrong: ' Tim', top: 5 },
    flags: ['--dictionary', SAE_LAST, '--prompt', STORY, ...metricFlags, '--top', '5'],
  },
  'attribution-graph': {
    prompts: [STORY],
    params: { prompt: 0, transcoders: 'builtin:stories260K-transcoders', batchSize: 128, maxLogits: 3 },
    flags: ['--prompt', STORY, '--transcoders', 'builtin:stories260K-transcoders', '--batch-size', '128', '--max-logits', '3'],
  },
  'retrieval-heads': {
    prompts: [],
    params: { contextLengths: [64], depths: [50], needles: [NEEDLE], maxNewTokens: 3, maskTopK: 1, draws: 1 },
    flags: ['--context-lengths', '64', '--depths', '50', '--needles', JSON.stringify([NEEDLE]), '--max-new-tokens', '3', '--mask-top-k', '1', '--draws', '1'],
  },
};


const MODEL = 'builtin:stories260K';
const datasetFile = path.join(fileTempDir('probescope-parity-'), 'dataset.json');
writeFileSync(datasetFile, JSON.stringify(DATASET));

/** Every method's result from a notebook with one analysis cell per method. */
async function notebookResults(): Promise<Map<string, Json>> {
  const cells = [
    { kind: 'model', id: 'm', ref: MODEL },
    { kind: 'dataset', id: 'data', dataset: DATASET },
    ...Object.entries(CASES).flatMap(([method, c], i) => [
      ...(c.prompts.length ? [{ kind: 'prompts', id: `p${i}`, prompts: c.prompts.map((text) => ({ text })) }] : []),
      { kind: 'analysis', id: `a${i}`, method, params: c.params, ...(method === 'probe' ? { input: 'data' } : {}) },
    ]),
  ];
  const plan = validateNotebook({ format: 'probescope.notebook', version: 2, title: 'parity', cells });
  const run = await runNotebook(plan, { models: nodeModelHost(await createWasmBackend(), '.'), cache: new MemoryCache(), backend: 'cpu' });
  const out = new Map<string, Json>();
  for (const o of run.outputs) if (o.kind === 'analysis') out.set(o.method, (o as Extract<CellOutput, { kind: 'analysis' }>).result);
  return out;
}

let notebook: Map<string, Json>;
let worker: JobHandlers;
const context = (progress: Progress[] = []) => new WorkerJobContext((p) => progress.push(p));

beforeAll(async () => {
  notebook = await notebookResults();
  worker = createHandlers(new EngineSession());
  const folder = path.resolve(import.meta.dirname, '../models/stories260K');
  const files = readdirSync(folder).map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));
  await worker.loadModel({ source: { kind: 'files', label: MODEL, files }, backend: 'cpu' }, context());
}, 240_000);

describe('one method, one definition', () => {
  it('every registered method has a case', () => {
    expect(Object.keys(CASES).sort()).toEqual([...METHODS.keys()].sort());
  });

  it.each(Object.keys(CASES))('%s: CLI --json, notebook step and worker job give the same JSON', async (method) => {
    const c = CASES[method];
    const cli = jsonOf(await runCli([method, '--model', MODEL, ...c.flags, ...(method === 'probe' ? ['--dataset', datasetFile] : []), '--json']));
    const items: PromptItem[] = c.prompts.map((text) => ({ text }));
    const progress: Progress[] = [];
    const job = await worker.method(
      { method, params: c.params, prompts: items, ...(method === 'probe' ? { dataset: { kind: 'json', name: 'dataset.json', text: JSON.stringify(DATASET) } } : {}) },
      context(progress),
    );
    expect(notebook.get(method)).toBeDefined();
    expect(cli).toEqual(notebook.get(method));
    expect(job).toEqual(notebook.get(method));
  });
});
