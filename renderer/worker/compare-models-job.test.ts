/**
 * The app's "Compare with another checkpoint" job: the open F32 GGUF against the Q8_0 file read
 * from a picked file gives the numbers of analysis/methods/compare-models.ts run directly in
 * Node, and the KL of the fixture's float64 forwards; another architecture is refused by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareModels } from '../../analysis/methods/compare-models.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { GGUF_DIR, ggufReference, loadGgufFixture } from '../../test/gguf-reference.ts';
import type { ModelSourceRequest } from './contracts.ts';
import { createHandlers } from './handlers.ts';
import { WorkerJobContext } from './job-context.ts';
import { EngineSession } from './session.ts';

const ctx = () => new WorkerJobContext(() => undefined);

function pickedGguf(name: string): ModelSourceRequest {
  return { kind: 'files', label: name, files: [{ path: name, file: new Blob([readFileSync(`${GGUF_DIR}${name}`)]) }] };
}

/** KL(P_a ‖ P_b) of two logit rows, in float64. */
function kl(a: readonly number[], b: readonly number[]): number {
  const lse = (z: readonly number[]) => {
    const m = Math.max(...z);
    return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  };
  const [la, lb] = [lse(a), lse(b)];
  return a.reduce((s, v, i) => s + Math.exp(v - la) * (v - la - (b[i] - lb)), 0);
}

describe('worker: compare the open model with another checkpoint', () => {
  it('F32 vs Q8_0 GGUF: the numbers of compare-models run in Node, and the float64 forwards’ KL', async () => {
    const handlers = createHandlers(new EngineSession());
    await handlers.loadModel({ source: pickedGguf('f32.gguf'), backend: 'cpu-ref' }, ctx());
    const input = ggufReference.inputs[1];
    const result = await handlers.compareModels({ source: pickedGguf('q8_0.gguf'), ids: input.input_ids }, ctx());

    const cpu = createCpuBackend();
    const direct = await compareModels(await loadGgufFixture('f32', cpu), await loadGgufFixture('q8_0', cpu), input.input_ids);
    expect(result).toMatchObject({ a: 'f32.gguf', b: 'q8_0.gguf' });
    expect(result.tokens).toHaveLength(input.input_ids.length);
    expect({ ids: result.ids, positions: result.positions, residRelDiff: result.residRelDiff, residRelDiffMean: result.residRelDiffMean, summary: result.summary }).toEqual(direct);

    // Independent of the engine: the fixture's float64 forwards of the dequantized weights.
    const [fa, fb] = [input.logits_dequant_f64.f32, input.logits_dequant_f64.q8_0];
    result.positions.forEach((p, i) => {
      const reference = kl(fa[i], fb[i]);
      expect(Math.abs(p.kl - reference), `position ${i}`).toBeLessThan(1e-6 + 1e-3 * reference);
      expect(p.maxAbsLogitDiff).toBeCloseTo(Math.max(...fa[i].map((v, j) => Math.abs(v - fb[i][j]))), 4);
    });
    expect(result.summary.meanKl).toBeGreaterThan(0);
  });

  it('the HF folder the F32 GGUF was converted from computes the same forward (a picked folder as B)', async () => {
    const handlers = createHandlers(new EngineSession());
    await handlers.loadModel({ source: pickedGguf('f32.gguf'), backend: 'cpu-ref' }, ctx());
    const dir = new URL('../../test/fixtures/stories260K-hf/', import.meta.url).pathname;
    const files = readdirSync(dir).map((name) => ({ path: name, file: new Blob([readFileSync(`${dir}${name}`)]) }));
    const result = await handlers.compareModels({ source: { kind: 'files', label: 'stories260K-hf', files }, ids: ggufReference.inputs[1].input_ids }, ctx());
    expect(result.summary).toEqual({ maxAbsLogitDiff: 0, meanKl: 0, top1Agreement: 1 });
    expect(result.residRelDiffMean).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses a checkpoint of another architecture and keeps the open model', async () => {
    const handlers = createHandlers(new EngineSession());
    await handlers.loadModel({ source: pickedGguf('q8_0.gguf'), backend: 'cpu-ref' }, ctx());
    const dir = new URL('../../test/fixtures/gpt2-tiny/', import.meta.url).pathname;
    const files = readdirSync(dir).map((name) => ({ path: name, file: new Blob([readFileSync(`${dir}${name}`)]) }));
    await expect(handlers.compareModels({ source: { kind: 'files', label: 'gpt2-tiny', files }, ids: [1, 317] }, ctx())).rejects.toThrow(
      /^gpt2-tiny is not a checkpoint of q8_0\.gguf's architecture: modelType is gpt2/,
    );
    const again = await handlers.compareModels({ source: pickedGguf('f32.gguf'), ids: [1, 317] }, ctx());
    expect(again.a).toBe('q8_0.gguf');
  });

  it('gives no result when another model is opened while the second checkpoint is read', async () => {
    const handlers = createHandlers(new EngineSession());
    await handlers.loadModel({ source: pickedGguf('f32.gguf'), backend: 'cpu-ref' }, ctx());
    // The job's checkpoint after reading B is where the user opening q4_0.gguf lands.
    const racing = new WorkerJobContext(() => undefined);
    racing.checkpoint = async () => {
      await handlers.loadModel({ source: pickedGguf('q4_0.gguf'), backend: 'cpu-ref' }, ctx());
    };
    await expect(handlers.compareModels({ source: pickedGguf('q8_0.gguf'), ids: [1, 317] }, racing)).rejects.toThrow(/^The open model changed while it was compared with q8_0\.gguf; compare again\.$/);
  });
});
