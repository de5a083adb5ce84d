/** The app's worker opens a single picked .gguf file; the model card lists the quantisation per tensor type. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHandlers } from './handlers.ts';
import { WorkerJobContext } from './job-context.ts';
import { EngineSession } from './session.ts';

const FILE = new URL('../../test/fixtures/gguf/stories260K/q4_0.gguf', import.meta.url).pathname;

describe('worker: open a GGUF file', () => {
  it('loads q4_0.gguf from one picked file and describes its tensor types', async () => {
    const handlers = createHandlers(new EngineSession());
    const files = [{ path: 'q4_0.gguf', file: new Blob([readFileSync(FILE)]) }];
    const card = await handlers.loadModel({ source: { kind: 'files', label: 'q4_0.gguf', files }, backend: 'cpu-ref' }, new WorkerJobContext(() => undefined));
    expect(card).toMatchObject({ architecture: 'llama (GGUF)', nLayers: 5, nHeads: 8, nKvHeads: 4, hasTokenizer: true, bosTokenId: 1 });
    // llama.cpp's quantizer wrote 30 Q4_0, 1 Q8_0 (token_embd, also the output matrix), 5 F16 and 11 F32 tensors.
    expect(card.tensorTypes.map((t) => [t.dtype, t.tensors])).toEqual([['Q4_0', 30], ['F16', 5], ['Q8_0', 1], ['F32', 11]]);
    expect(card.tensorTypes.find((t) => t.dtype === 'Q4_0')?.bytes).toBe((card.tensorTypes.find((t) => t.dtype === 'Q4_0')!.parameters / 32) * 18);
    const tokens = await handlers.tokenize({ text: 'Lily went', prependBos: true }, new WorkerJobContext(() => undefined));
    expect(tokens.tokens.map((t) => t.id)).toEqual([1, 317, 382, 361]);
  });
});
