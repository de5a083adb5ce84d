/**
 * The worker's jobs on the real built-in model, in Node (no Worker: handlers called directly
 * with a test context). The same code runs in the browser's worker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from './contracts.ts';
import { createHandlers } from './handlers.ts';
import { JobCancelledError, WorkerJobContext } from './job-context.ts';
import type { JobHandlers } from './runner.ts';
import { EngineSession } from './session.ts';

const folder = path.resolve(import.meta.dirname, '../../models/stories260K');
const files = readdirSync(folder).map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));

let handlers: JobHandlers;
let prompt: number[];
const context = (progress: Progress[] = []) => new WorkerJobContext((p) => progress.push(p));

beforeAll(async () => {
  handlers = createHandlers(new EngineSession());
  const progress: Progress[] = [];
  const card = await handlers.loadModel({ source: { kind: 'files', label: 'stories260K', files }, backend: 'cpu' }, context(progress));
  expect(card).toMatchObject({ nLayers: 5, nHeads: 8, nKvHeads: 4, dModel: 64, architecture: 'LlamaForCausalLM', backend: { name: 'wasm' } }); // 'cpu' asks for the fast CPU backend
  expect(card.parameters).toBeGreaterThan(200_000);
  // Per-tensor progress, naming each tensor, ending with every tensor read.
  expect(progress.some((p) => p.unit === 'tensors' && /^reading model\.[a-z_.0-9]+weight /.test(p.stage))).toBe(true);
  expect(progress.some((p) => p.unit === 'tensors' && p.done === p.total && p.total > 40 && p.stage.startsWith('weights read'))).toBe(true);
  const tokens = await handlers.tokenize({ text: 'Once upon a time, there was a little girl named Lily.', prependBos: true }, context());
  expect(tokens.tokens[0]).toEqual({ id: 1, text: '<s>', special: true });
  prompt = tokens.tokens.map((t) => t.id);
});

describe('worker jobs on stories260K', () => {
  it('logit lens (method job): the final row is the model’s own next-token prediction', async () => {
    const next = await handlers.nextToken({ ids: prompt, topK: 3 }, context());
    type Lens = { layers: string[]; top: { id: number; prob: number }[][][]; next: { rank: (number | null)[][] } };
    const lens = (await handlers.method({ method: 'logit-lens', params: { topK: 3, nextToken: true }, prompts: [{ ids: prompt }] }, context())).result as unknown as Lens;
    expect(lens.layers).toHaveLength(6);
    const final = lens.top[5][prompt.length - 1];
    expect(final[0].id).toBe(next.candidates[0].id);
    expect(final[0].prob).toBeCloseTo(next.candidates[0].prob, 5);
    // Next-token ranks everywhere but the last position.
    expect(lens.next.rank[0][0]).not.toBeNull();
    expect(lens.next.rank[0][prompt.length - 1]).toBeNull();
  });

  it('attention patterns (method job) are causal and rows sum to 1', async () => {
    type Patterns = { layers: number[]; heads: number[]; patterns: number[][][][] };
    const att = (await handlers.method({ method: 'attention-patterns', params: {}, prompts: [{ ids: prompt }] }, context())).result as unknown as Patterns;
    expect([att.layers.length, att.heads.length]).toEqual([5, 8]);
    const row = att.patterns[0][0][3];
    expect(row).toHaveLength(prompt.length);
    expect(row.slice(0, 4).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    expect(row.slice(4).every((v) => v === 0)).toBe(true);
  });

  it('generates greedily with progress, and cancels between tokens', async () => {
    const progress: Progress[] = [];
    const out = await handlers.generate({ ids: prompt, temperature: 0, topK: 0, topP: 1, seed: 0, maxNewTokens: 8 }, context(progress));
    expect(out.newTokens.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ unit: 'tokens', done: out.newTokens.length });
    const ctx = context();
    const job = handlers.generate({ ids: prompt, temperature: 0.8, topK: 0, topP: 1, seed: 1, maxNewTokens: 400 }, ctx);
    ctx.cancel();
    await expect(job).rejects.toBeInstanceOf(JobCancelledError);
  });

  it('refuses ids outside the vocabulary with a plain message', async () => {
    await expect(handlers.nextToken({ ids: [1, 99999], topK: 3 }, context())).rejects.toThrow('Token id 99999 is outside the vocabulary [0, 512).');
  });
});
