/**
 * Each registered method's inputs, given once in the notebook's terms (prompts by index, tokens as
 * one-token strings) and as the CLI flags that say the same: the cases of the parity tests
 * (method-parity: CLI, notebook and worker give the same JSON; figure-parity: the app and the
 * notebook report draw the same figures).
 */
const STORY = 'Lily and Tim played. Lily gave the ball to';
const CLEAN = 'Once upon a time, there was a girl named Lily. One day,';
const CORRUPT = 'Once upon a time, there was a girl named Tim. One day,';
const NEEDLE = { needle: 'Lily had a pet frog named Max.', question: 'The frog was named', answer: 'Max' };
export const DATASET = {
  examples: ['Lily', 'Sue', 'Tom', 'Ben'].flatMap((name, i) =>
    ['Once upon a time, there was a little NAME. One day,', 'NAME went to the park. Then'].map((t, k) => ({ prompt: t.replace('NAME', name), label: i < 2 ? 'girl' : 'boy', split: k === 0 ? 'train' : 'test' })),
  ),
};

export interface Case {
  readonly prompts: readonly string[];
  /** Notebook params (prompts by index into `prompts`). */
  readonly params: Record<string, unknown>;
  /** The same as command-line flags. */
  readonly flags: readonly string[];
}

const metricFlags = ['--answer', '" Lily"', '--wrong', '" Tim"'];
const SAE = 'builtin:stories260K-saes/blocks.2.hook_resid_post';
const SAE_LAST = 'builtin:stories260K-saes/blocks.4.hook_resid_post';

export const CASES: Record<string, Case> = {
  'run-model': {
    prompts: [STORY],
    params: { prompt: 0, interventions: [{ hook: 'blocks.3.attn.hook_z', op: 'zero', head: 2 }], capture: ['blocks.*.hook_resid_post'], topK: 3 },
    flags: ['--prompt', STORY, '--interventions', '[{"hook":"blocks.3.attn.hook_z","op":"zero","head":2}]', '--capture', 'blocks.*.hook_resid_post', '--top-k', '3'],
  },
  'logit-lens': { prompts: [STORY], params: { prompt: 0, topK: 3, targets: [' she', 7], nextToken: true }, flags: ['--prompt', STORY, '--top-k', '3', '--targets', '" she",7', '--next-token'] },
  'attention-patterns': { prompts: [STORY], params: { prompt: 0, layers: [1, 3], heads: [0, 2], focus: { layer: 3, head: 2 } }, flags: ['--prompt', STORY, '--layers', '1,3', '--heads', '0,2', '--focus', '{"layer":3,"head":2}'] },
  'neuron-decoding': { prompts: [], params: { layer: 1, neuron: 3, topK: 4 }, flags: ['--layer', '1', '--neuron', '3', '--top-k', '4'] },
  // With the common dictionaries param: DLA also splits the last layer's SAE into its features.
  dla: { prompts: [STORY], params: { prompt: 0, answer: ' Lily', wrong: ' Tim', position: -1, dictionaries: [SAE_LAST] }, flags: ['--prompt', STORY, ...metricFlags, '--position', '-1', '--dictionary', SAE_LAST] },
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
