/**
 * The fused paths against the CPU reference's primitive ops (f64 accumulation): linearFused
 * (norm prologue, bias, activation, multiply, residual) on odd shapes, split-K, the fused
 * attention kernel (GQA, KV offset, padding, sliding window, softcap, fully masked rows), and
 * whole forward passes: fused (nothing captured) vs the CPU backend and vs capture-everything on
 * WebGPU, with at most 8 dispatches per block, cached bind groups and timed stages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttentionMask, Backend, LinearFusion, Tensor, UnaryKind } from '../backend.ts';
import { modelOnBackend } from '../../analysis/model/model.ts';
import { randomWeights, smallSpec } from '../../analysis/model/random.ts';
import { run } from '../../analysis/model/run.ts';
import type { StageTime, WebGpuBackend } from './index.ts';
import { planGemm } from './kernels/matmul.ts';
import { cpu, DOT, expectClose, expectMatch, openGpu, pair, randomData, randomHalves, sharedGpu } from './testing.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

const numel = (shape: readonly number[]) => shape.reduce((p, s) => p * s, 1);

/** LinearFusion's definition in the reference backend's primitive ops, in its stated order. */
function unfused(b: Backend, x: Tensor, w: Tensor, f: LinearFusion): Tensor {
  let input = x;
  if (f.norm) {
    const unit = b.normalize(x, b.normScale(x, f.norm.center, f.norm.eps), f.norm.center);
    input = f.norm.bias ? b.add(b.mul(unit, f.norm.weight), f.norm.bias) : b.mul(unit, f.norm.weight);
  }
  let y = b.linear(input, w, f.bias);
  if (f.activation) y = b.unary(y, f.activation);
  if (f.multiply) y = b.mul(y, f.multiply);
  if (f.residual) y = b.add(f.residual, y);
  return y;
}

interface FusionCase {
  readonly x: number[];
  readonly out: number;
  readonly dtype: 'F32' | 'F16' | 'BF16';
  readonly norm?: 'layernorm' | 'rmsnorm';
  readonly bias?: boolean;
  readonly activation?: UnaryKind;
  readonly extra?: 'multiply' | 'residual';
}

describe('linearFused', () => {
  // K = 45 and 37: scalar loads; 64 and 40: vec4. 74 and 70 rows cross tiles; 5 and 3 rows take
  // the short tiles (the fused form never takes the GEMV path); 67 and 130 outputs are not
  // multiples of any tile width.
  const cases: FusionCase[] = [
    { x: [2, 37, 45], out: 67, dtype: 'F32', norm: 'layernorm', bias: true, activation: 'gelu_tanh' },
    { x: [5, 40], out: 130, dtype: 'F16', norm: 'rmsnorm', extra: 'multiply' },
    { x: [70, 64], out: 33, dtype: 'BF16', bias: true, extra: 'residual' },
    { x: [1, 3, 37], out: 19, dtype: 'F32', norm: 'layernorm', bias: true, extra: 'residual' },
    { x: [9, 64], out: 50, dtype: 'F32', norm: 'rmsnorm', activation: 'silu' },
    { x: [18, 40], out: 24, dtype: 'F32', bias: true, activation: 'gelu_erf' },
  ];
  it.each(cases)('%j', async (c) => {
    const k = c.x[c.x.length - 1];
    const outShape = [...c.x.slice(0, -1), c.out];
    const [xg, xc] = pair(gpu, randomData(numel(c.x), 1, 2), c.x);
    const wData = c.dtype === 'F32' ? randomData(c.out * k, 2, 0.3) : randomHalves(c.out * k, c.dtype, 2);
    const weight = { name: 'w', dtype: c.dtype, shape: [c.out, k], data: wData };
    const [wg, wc] = [gpu.uploadWeight(weight), cpu.uploadWeight(weight)];
    const vec = (n: number, seed: number, shape = [n]) => pair(gpu, randomData(numel(shape), seed), shape);
    const [gain, bias, normBias, extra] = [vec(k, 3), vec(c.out, 4), vec(k, 5), vec(0, 6, outShape)];
    const fusion = (side: 0 | 1): LinearFusion => ({
      norm: c.norm && {
        center: c.norm === 'layernorm',
        eps: 1e-5,
        weight: gain[side],
        bias: c.norm === 'layernorm' ? normBias[side] : undefined,
      },
      bias: c.bias ? bias[side] : undefined,
      activation: c.activation,
      multiply: c.extra === 'multiply' ? extra[side] : undefined,
      residual: c.extra === 'residual' ? extra[side] : undefined,
    });
    await expectMatch(gpu, gpu.linearFused(xg, wg, fusion(0)), unfused(cpu, xc, wc, fusion(1)), DOT, 'linearFused');
  });

  it('refuses a residual of the wrong shape, naming it', () => {
    const x = gpu.upload(randomData(6, 1), [2, 3]);
    const w = gpu.upload(randomData(12, 2), [4, 3]);
    expect(() => gpu.linearFused(x, w, { residual: gpu.upload(randomData(6, 3), [2, 3]) })).toThrow(/residual \[2, 3\] must be \[2, 4\]/);
  });
});

describe('split-K', () => {
  it('is planned for few output tiles and a long K, not otherwise', () => {
    const limits = { maxInvocationsPerWorkgroup: 256, maxWorkgroupStorageBytes: 32768 };
    expect(planGemm({ m: 20, n: 24, k: 1100, batch: 1, splittable: true }, limits).parts).toBeGreaterThan(1);
    expect(planGemm({ m: 20, n: 24, k: 1100, batch: 1, splittable: false }, limits).parts).toBe(1);
    expect(planGemm({ m: 20, n: 24, k: 300, batch: 1, splittable: true }, limits).parts).toBe(1);
    expect(planGemm({ m: 4096, n: 4096, k: 4096, batch: 1, splittable: true }, limits).parts).toBe(1);
  });

  it('sums the parts and runs the epilogue once (bias, gelu, residual)', async () => {
    const [m, n, k] = [20, 24, 1100];
    const [xg, xc] = pair(gpu, randomData(m * k, 7), [m, k]);
    const [wg, wc] = pair(gpu, randomData(n * k, 8, 0.1), [n, k]);
    const [bg, bc] = pair(gpu, randomData(n, 9), [n]);
    const [rg, rc] = pair(gpu, randomData(m * n, 10), [m, n]);
    const tol = { abs: 1e-4, rel: 1e-4 };
    await expectMatch(gpu, gpu.linear(xg, wg, bg), cpu.linear(xc, wc, bc), tol, 'split-K linear');
    await expectMatch(
      gpu,
      gpu.linearFused(xg, wg, { bias: bg, activation: 'gelu_tanh' }),
      unfused(cpu, xc, wc, { bias: bc, activation: 'gelu_tanh' }),
      tol,
      'split-K gelu',
    );
    await expectMatch(gpu, gpu.linearFused(xg, wg, { residual: rg }), unfused(cpu, xc, wc, { residual: rc }), tol, 'split-K residual');
  });
});

describe('fused attention', () => {
  interface AttentionCase {
    readonly batch: number;
    readonly pos: number;
    readonly kvPos: number;
    readonly heads: number;
    readonly kvHeads: number;
    readonly dHead: number;
    readonly padding?: boolean;
    readonly window?: number;
    readonly softcap?: number;
  }
  const cases: AttentionCase[] = [
    { batch: 2, pos: 19, kvPos: 19, heads: 4, kvHeads: 2, dHead: 12, padding: true },
    { batch: 1, pos: 3, kvPos: 40, heads: 2, kvHeads: 1, dHead: 64 },
    { batch: 1, pos: 37, kvPos: 37, heads: 3, kvHeads: 3, dHead: 16, window: 5, softcap: 2 },
    { batch: 1, pos: 1, kvPos: 17, heads: 2, kvHeads: 2, dHead: 128, window: 4 },
  ];
  it.each(cases)('%j equals attentionMix(softmax(attentionScores))', async (c) => {
    const qShape = [c.batch, c.pos, c.heads, c.dHead];
    const kShape = [c.batch, c.kvPos, c.kvHeads, c.dHead];
    const [qg, qc] = pair(gpu, randomData(numel(qShape), 11, 2), qShape);
    const [kg, kc] = pair(gpu, randomData(numel(kShape), 12, 2), kShape);
    const [vg, vc] = pair(gpu, randomData(numel(kShape), 13), kShape);
    // Row 0 is left-padded by 3 (those queries see no key at all: z = 0).
    const keyValid = c.padding ? Uint8Array.from({ length: c.batch * c.kvPos }, (_, i) => (i < 3 ? 0 : 1)) : undefined;
    const mask: AttentionMask = { queryOffset: c.kvPos - c.pos, keyValid, window: c.window };
    const scale = 1 / Math.sqrt(c.dHead);
    const want = cpu.attentionMix(cpu.softmax(cpu.attentionScores(qc, kc, scale, mask, c.softcap)), vc);
    const got = gpu.attention(qg, kg, vg, scale, mask, c.softcap);
    await expectMatch(gpu, got, want, { abs: 2e-5, rel: 1e-4 }, 'attention');
    if (c.padding) {
      const [z] = await gpu.read([got]);
      expect(Array.from(z.subarray(0, 3 * c.heads * c.dHead)).every((v) => v === 0)).toBe(true);
    }
  });
});

describe('forward passes', () => {
  const ids = [3, 17, 42, 5, 9, 33, 2, 61, 17, 42, 5, 7, 19];
  it.each(['gpt2', 'llama', 'gpt_neox'] as const)('%s: fused equals the CPU reference and capture-everything', async (type) => {
    const spec = smallSpec(type);
    const host = { label: type, spec, weights: randomWeights(spec, 21), tokenizer: null };
    const onGpu = modelOnBackend(host, gpu);
    const onCpu = modelOnBackend(host, cpu);
    const fused = await run(onGpu, { ids }, { logits: 'all' });
    const reference = await run(onCpu, { ids }, { logits: 'all' });
    const captured = await run(onGpu, { ids }, { logits: 'all', capture: ['**'] });
    expectClose(fused.logits!.data, reference.logits!.data, { abs: 1e-4, rel: 1e-4 }, 'fused vs CPU');
    expectClose(captured.logits!.data, fused.logits!.data, { abs: 1e-4, rel: 1e-4 }, 'capture-all vs fused');
  });

  it('GPT-2: at most 8 dispatches per block when nothing is captured (7: q, k, v, attention, W_O + residual, W_in + gelu, W_out + residual)', async () => {
    const spec = smallSpec('gpt2', { nLayers: 3 });
    const model = modelOnBackend({ label: 'gpt2', spec, weights: randomWeights(spec, 22), tokenizer: null }, gpu);
    const blocks = (stages: readonly StageTime[]) => stages.filter((s) => s.label.startsWith('block '));
    await gpu.stageTimes(); // forget earlier stages
    await run(model, { ids }, { logits: 'last' });
    const plain = await gpu.stageTimes();
    expect(plain.map((s) => s.label)).toEqual(['embed', 'block 0', 'block 1', 'block 2', 'logits']);
    for (const stage of blocks(plain)) expect(stage.dispatches).toBe(7);
    // Token and position embeddings and their sum; the unembedding with the final norm fused.
    expect(plain.map((s) => s.dispatches)).toEqual([3, 7, 7, 7, 1]);
    await run(model, { ids }, { logits: 'last', capture: ['**'] });
    // Capturing everything runs the unfused ops (21 per block before this work, plus hook_result here).
    for (const stage of blocks(await gpu.stageTimes())) expect(stage.dispatches).toBeGreaterThan(15);
  });

  it('bind groups are cached: a repeated forward reuses most of them', async () => {
    // A backend of its own: buffers other tests left in the shared pool would be handed out in
    // rotation (first in, first out) and make every forward's groups look new.
    const own = await openGpu();
    try {
      const spec = smallSpec('gpt2');
      const model = modelOnBackend({ label: 'gpt2', spec, weights: randomWeights(spec, 23), tokenizer: null }, own);
      await run(model, { ids }, { logits: 'last' });
      const before = own.stats();
      await run(model, { ids }, { logits: 'last' });
      const after = own.stats();
      // Without the cache every dispatch creates one; pooled buffers come back mostly in order.
      expect(after.bindGroupsCreated - before.bindGroupsCreated).toBeLessThan((after.dispatches - before.dispatches) / 2);
    } finally {
      own.destroy();
    }
  });

  it('stages are timed with timestamp queries (SwiftShader has them)', async () => {
    // The shared backend, where GPT-2's pipelines are compiled. Timing stays on for the files after
    // this one: their passes carry timestamp writes until the query set is full, which changes no result.
    expect(gpu.enableTiming()).toBe(true);
    const spec = smallSpec('gpt2');
    const model = modelOnBackend({ label: 'gpt2', spec, weights: randomWeights(spec, 24), tokenizer: null }, gpu);
    await gpu.stageTimes(); // forget earlier stages
    await run(model, { ids }, { logits: 'last' });
    const stages = await gpu.stageTimes();
    expect(stages.map((s) => s.label)).toEqual(['embed', 'block 0', 'block 1', 'logits']);
    for (const s of stages) expect(s.ms !== null && Number.isFinite(s.ms) && s.ms >= 0).toBe(true);
  });
});
