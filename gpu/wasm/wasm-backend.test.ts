/**
 * The fast CPU backend's ops against the reference backend, op by op: random shapes including
 * odd and tiny ones (every remainder path of the 4 × 8 tiles and the 4-wide packing), F16 and
 * BF16 weights (exact widening, specials included), GEMMs split across two threads, and the
 * hand-over to the reference for arguments the kernels were not written for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostWeight, LinearFusion, Tensor } from '../backend.ts';
import { CpuBackend } from '../cpu/backend.ts';
import { seededRandom } from '../random.ts';
import type { WasmBackend } from './index.ts';
import { createWasmBackend } from './index.ts';

const ref = new CpuBackend();
let fast: WasmBackend;
let single: WasmBackend;
beforeAll(async () => {
  fast = await createWasmBackend({ threads: 2 });
  single = await createWasmBackend({ threads: 1, relaxed: false });
});
afterAll(() => {
  fast.close();
  single.close();
});

const random = seededRandom(7);
const values = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);

/**
 * Raw 16-bit patterns of random values in ±[2⁻⁶, 2), as a weight file has them; F16 also gets
 * ±0 and subnormals (the widening's special cases).
 */
function halfBits(dtype: 'F16' | 'BF16', n: number): Uint16Array {
  const bits = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const sign = random() < 0.5 ? 0x8000 : 0;
    bits[i] = dtype === 'F16'
      ? sign | ((9 + Math.floor(random() * 7)) << 10) | Math.floor(random() * 1024)
      : sign | ((121 + Math.floor(random() * 7)) << 7) | Math.floor(random() * 128);
  }
  if (dtype === 'F16' && n > 4) bits.set([0x0000, 0x8000, 0x0001, 0x83ff], 0);
  return bits;
}

/** The same weight with every value's sign cleared: |w|, for error bounds. */
function absolute(w: HostWeight): HostWeight {
  const data = w.data instanceof Float32Array ? w.data.map(Math.abs) : (w.data as Uint16Array).map((b) => b & 0x7fff);
  return { ...w, data };
}

function weight(dtype: HostWeight['dtype'], shape: [number, number]): HostWeight {
  const n = shape[0] * shape[1];
  return { name: `w ${dtype}`, dtype, shape, data: dtype === 'F32' ? values(n) : halfBits(dtype as 'F16' | 'BF16', n) };
}

/**
 * Equal within tol·(1 + |bound|), elementwise; `bound` is the reference op on absolute values
 * (Σ|a|·|b| for a product: f32 accumulation error scales with it, cancellation or not).
 */
async function expectClose(got: Tensor, want: Tensor, what: string, tol = 1e-5, bound: Tensor = want): Promise<void> {
  expect(got.shape, what).toEqual(want.shape);
  const [g] = await got.owner.read([got]);
  const [w, s] = await want.owner.read([want, bound]);
  for (let i = 0; i < w.length; i++) {
    const ok = g[i] === w[i] || Math.abs(g[i] - w[i]) <= tol * (1 + Math.abs(s[i]));
    if (!ok) expect.fail(`${what}: element ${i} is ${g[i]}, reference ${w[i]}`);
  }
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 8, 4], [3, 5, 7], [4, 8, 256], [5, 9, 257], [17, 31, 300], [64, 200, 300], [2, 264, 3], [130, 17, 520],
];

describe.each(['F32', 'F16', 'BF16'] as const)('matrix ops with %s weights', (dtype) => {
  it.each(SHAPES)('linear, linearTransposed and gather at M=%i N=%i K=%i (1 and 2 threads)', async (M, N, K) => {
    const w = weight(dtype, [N, K]);
    const x = values(M * K);
    const bias = values(N);
    const g = values(M * N);
    const ids = Int32Array.from({ length: M }, () => Math.floor(random() * N));
    const R = { w: ref.uploadWeight(w), x: ref.upload(x, [M, K]), b: ref.upload(bias, [N]), g: ref.upload(g, [M, N]) };
    const wAbs = ref.uploadWeight(absolute(w));
    const xAbs = ref.upload(x.map(Math.abs), [M, K]);
    const linearBound = ref.linear(xAbs, wAbs, ref.upload(bias.map(Math.abs), [N]));
    const transposedBound = ref.linearTransposed(ref.upload(g.map(Math.abs), [M, N]), wAbs);
    for (const b of [fast, single]) {
      const W = b.uploadWeight(w);
      await expectClose(b.linear(b.upload(x, [M, K]), W, b.upload(bias, [N])), ref.linear(R.x, R.w, R.b), `linear ${b.info.adapter}`, 1e-5, linearBound);
      await expectClose(b.linear(b.upload(x, [1, M, K]), W), ref.linear(ref.reshape(R.x, [1, M, K]), R.w), `linear without bias ${b.info.adapter}`, 1e-5, ref.reshape(linearBound, [1, M, N]));
      await expectClose(b.linearTransposed(b.upload(g, [M, N]), W), ref.linearTransposed(R.g, R.w), `linearTransposed ${b.info.adapter}`, 1e-5, transposedBound);
      await expectClose(b.gather(W, ids), ref.gather(R.w, ids), `gather ${b.info.adapter}`, 0);
      b.dispose(W);
    }
  });

  it('headResult splits wO by head', async () => {
    const [batch, pos, heads, dHead, dModel] = [2, 5, 3, 6, 13];
    const w = weight(dtype, [dModel, heads * dHead]);
    const z = values(batch * pos * heads * dHead);
    const shape = [batch, pos, heads, dHead];
    await expectClose(fast.headResult(fast.upload(z, shape), fast.uploadWeight(w)), ref.headResult(ref.upload(z, shape), ref.uploadWeight(w)), 'headResult');
  });

  it('a resident weight read by an op it is not accelerated for is decoded exactly', async () => {
    const w = weight(dtype, [7, 9]);
    const [got] = await fast.read([fast.scale(fast.uploadWeight(w), 1)]);
    const [want] = await ref.read([ref.scale(ref.uploadWeight(w), 1)]);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(fast.storedBytes(fast.uploadWeight(w))).toBe(63 * (dtype === 'F32' ? 4 : 2));
  });
});

describe('linearFused', () => {
  /** The fusion as the reference's primitive ops, in LinearFusion's order. */
  function composed(b: CpuBackend, x: Tensor, w: Tensor, f: LinearFusion): Tensor {
    let input = x;
    if (f.norm) {
      const unit = b.mul(b.normalize(x, b.normScale(x, f.norm.center, f.norm.eps), f.norm.center), f.norm.weight);
      input = f.norm.bias ? b.add(unit, f.norm.bias) : unit;
    }
    let y = b.linear(input, w, f.bias);
    if (f.activation) y = b.unary(y, f.activation);
    if (f.multiply) y = b.mul(y, f.multiply);
    return f.residual ? b.add(y, f.residual) : y;
  }

  const cases: [string, number, number, number, 'F32' | 'BF16'][] = [['layernorm + bias + gelu', 7, 13, 37, 'F32'], ['rmsnorm + gate product', 5, 9, 64, 'BF16'], ['residual', 130, 17, 40, 'F32']];
  it.each(cases)('%s at M=%i N=%i K=%i, %s weights, 1 and 2 threads', async (what, M, N, K, dtype) => {
    const w = weight(dtype, [N, K]);
    const [x, gain, shift, bias, other] = [values(M * K, 3), values(K), values(K), values(N), values(M * N)];
    const parts = (b: CpuBackend): LinearFusion => {
      const norm = { center: what.startsWith('layernorm'), eps: 1e-5, weight: b.upload(gain, [K]), bias: what.startsWith('layernorm') ? b.upload(shift, [K]) : undefined };
      if (what.startsWith('layernorm')) return { norm, bias: b.upload(bias, [N]), activation: 'gelu_tanh' };
      if (what.startsWith('rmsnorm')) return { norm, activation: 'silu', multiply: b.upload(other, [1, M, N]) };
      return { bias: b.upload(bias, [N]), residual: b.upload(other, [1, M, N]) };
    };
    const want = composed(ref, ref.upload(x, [1, M, K]), ref.uploadWeight(w), parts(ref));
    for (const b of [fast, single]) {
      const got = b.linearFused(b.upload(x, [1, M, K]), b.uploadWeight(w), parts(b));
      await expectClose(got, want, `${what} ${b.info.adapter}`, 2e-5);
    }
  });

  it('refuses a fusion part it does not implement instead of leaving it out', () => {
    const W = fast.uploadWeight(weight('F32', [4, 3]));
    const fusion = { bias: undefined, softcap: 30 } as unknown as LinearFusion;
    expect(() => fast.linearFused(fast.upload(values(6), [2, 3]), W, fusion)).toThrow(/linearFused: the fast CPU backend does not implement softcap/);
  });
});

describe('matmul', () => {
  it.each([[1, 1, 1], [3, 7, 5], [2, 65, 33, 9]])('agrees with the reference (%i, %i, %i, %s)', async (...dims) => {
    const [m, k, n, batch] = dims as [number, number, number, number | undefined];
    const sa = batch ? [batch, m, k] : [m, k];
    const sb = batch ? [batch, k, n] : [k, n];
    const a = values(sa.reduce((p, q) => p * q, 1));
    const b = values(sb.reduce((p, q) => p * q, 1));
    await expectClose(fast.matmul(fast.upload(a, sa), fast.upload(b, sb)), ref.matmul(ref.upload(a, sa), ref.upload(b, sb)), 'matmul');
  });
});

describe('attention', () => {
  const cases = [
    { batch: 1, pos: 1, kvPos: 1, heads: 1, kvHeads: 1, dHead: 1, queryOffset: 0 },
    { batch: 2, pos: 5, kvPos: 5, heads: 4, kvHeads: 2, dHead: 8, queryOffset: 0, keyValid: true },
    { batch: 1, pos: 3, kvPos: 11, heads: 6, kvHeads: 3, dHead: 13, queryOffset: 8 },
    { batch: 2, pos: 9, kvPos: 9, heads: 2, kvHeads: 2, dHead: 4, queryOffset: 0, window: 3, keyValid: true },
    // Large enough for the per-head products to run as one job on both threads (runtime.ts).
    { batch: 1, pos: 96, kvPos: 96, heads: 8, kvHeads: 4, dHead: 40, queryOffset: 0 },
    // More heads than one job holds (MAX_CALLS): the products run as two jobs.
    { batch: 2, pos: 32, kvPos: 32, heads: 160, kvHeads: 160, dHead: 8, queryOffset: 0 },
  ];
  it.each(cases)('scores, softmax and mix: %o', async (c) => {
    const qShape = [c.batch, c.pos, c.heads, c.dHead];
    const kShape = [c.batch, c.kvPos, c.kvHeads, c.dHead];
    const q = values(qShape.reduce((p, s) => p * s, 1));
    const k = values(kShape.reduce((p, s) => p * s, 1));
    const v = values(kShape.reduce((p, s) => p * s, 1));
    const keyValid = c.keyValid ? Uint8Array.from({ length: c.batch * c.kvPos }, (_, i) => (i % 4 === 1 ? 0 : 1)) : undefined;
    const mask = { queryOffset: c.queryOffset, keyValid, window: c.window };
    const scale = 1 / Math.sqrt(c.dHead);
    const rs = ref.attentionScores(ref.upload(q, qShape), ref.upload(k, kShape), scale, mask);
    const fs = fast.attentionScores(fast.upload(q, qShape), fast.upload(k, kShape), scale, mask);
    await expectClose(fs, rs, 'scores');
    const [rp, fp] = [ref.softmax(rs), fast.softmax(fs)];
    await expectClose(fp, rp, 'softmax');
    const mixed = ref.attentionMix(rp, ref.upload(v, kShape));
    await expectClose(fast.attentionMix(fp, fast.upload(v, kShape)), mixed, 'mix');
    await expectClose(fast.attention(fast.upload(q, qShape), fast.upload(k, kShape), fast.upload(v, kShape), scale, mask), mixed, 'fused attention');
  });

  it('hands a mask with a field it does not know to the reference', async () => {
    const mask = { queryOffset: 0, futureOption: 1 } as unknown as Parameters<CpuBackend['attentionScores']>[3];
    let called = false;
    const original = CpuBackend.prototype.attentionScores;
    CpuBackend.prototype.attentionScores = function (this: CpuBackend, ...args: Parameters<CpuBackend['attentionScores']>) {
      called = true;
      return original.apply(this, args);
    };
    try {
      fast.attentionScores(fast.upload(values(8), [1, 2, 1, 4]), fast.upload(values(8), [1, 2, 1, 4]), 1, mask);
    } finally {
      CpuBackend.prototype.attentionScores = original;
    }
    expect(called).toBe(true);
  });
});

describe('elementwise', () => {
  it.each(['add', 'sub', 'mul', 'div'] as const)('%s bit for bit as the reference: same shape, suffix and last-axis broadcasts', async (op) => {
    const a = values(2 * 3 * 5);
    for (const shape of [[2, 3, 5], [5], [3, 5], [2, 3, 1]]) {
      const b = values(shape.reduce((p, q) => p * q, 1));
      const [got] = await fast.read([fast[op](fast.upload(a, [2, 3, 5]), fast.upload(b, shape))]);
      const [want] = await ref.read([ref[op](ref.upload(a, [2, 3, 5]), ref.upload(b, shape))]);
      expect(Array.from(got), `${op} with b ${JSON.stringify(shape)}`).toEqual(Array.from(want));
    }
    expect(() => fast[op](fast.upload(a, [2, 3, 5]), fast.upload(values(3), [3]))).toThrow(/cannot broadcast \[3\] onto \[2, 3, 5\]/);
  });

  it.each(['gelu_tanh', 'gelu_erf', 'silu', 'relu', 'neg', 'exp', 'tanh'] as const)('unary %s over a wide range, with ±0, ±∞ and NaN', async (kind) => {
    const x = Float32Array.from([...values(203, 12), 0, -0, Infinity, -Infinity, NaN, 88, -88, 1e-30]);
    const got = fast.unary(fast.upload(x, [x.length]), kind);
    const want = ref.unary(ref.upload(x, [x.length]), kind);
    const [g] = await fast.read([got]);
    const [w] = await ref.read([want]);
    for (let i = 0; i < w.length; i++) {
      if (Number.isNaN(w[i])) expect(g[i], `${kind}(${x[i]})`).toBeNaN();
      else if (!Number.isFinite(w[i])) expect(g[i], `${kind}(${x[i]})`).toBe(w[i]);
      else expect(Math.abs(g[i] - w[i]), `${kind}(${x[i]})`).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(w[i])));
    }
  });

  it('softmax rows that are all −∞ give 0, as the reference', async () => {
    const x = Float32Array.from([-Infinity, -Infinity, -Infinity, 1, -Infinity, 2, 3, 4, 5, 6, 7, -100]);
    await expectClose(fast.softmax(fast.upload(x, [3, 4])), ref.softmax(ref.upload(x, [3, 4])), 'softmax', 1e-6);
  });
});

/** log Σ exp(row) in float64 with max subtraction, as the host computes the loss without the op. */
function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const v of row) s += Math.exp(v - max);
  return max + Math.log(s);
}

describe('logSumExp (the loss of run())', () => {
  it('equals the host float64 log-sum-exp per row: wide ranges, odd widths, rows of −∞, +∞ and NaN', async () => {
    const rows = [values(50257, 30), values(7, 80), values(1), Float32Array.from([-Infinity, -Infinity, -Infinity]),
      Float32Array.from([1, Infinity, 2, 3, 4]), Float32Array.from([1, NaN, 2, 3, 4]), Float32Array.from([-Infinity, 0, -Infinity, 88, -100])];
    for (const row of rows) {
      const [got] = await fast.read([fast.logSumExp(fast.upload(row, [1, row.length]))]);
      const want = logSumExp(row);
      if (Number.isNaN(want) || !Number.isFinite(want)) expect(got[0], `row of ${row.length}`).toBe(want);
      else expect(Math.abs(got[0] - want), `row of ${row.length}`).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(want)));
    }
    const many = values(3 * 2 * 33, 10);
    const [batched] = await fast.read([fast.logSumExp(fast.upload(many, [3, 2, 33]))]);
    expect(fast.logSumExp(fast.upload(many, [3, 2, 33])).shape).toEqual([3, 2, 1]);
    batched.forEach((v, r) => expect(Math.abs(v - logSumExp(many.subarray(r * 33, (r + 1) * 33)))).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(v))));
  });
});

describe('errors', () => {
  it('names the problem as the reference does', () => {
    const W = fast.uploadWeight(weight('F32', [4, 3]));
    expect(() => fast.linear(fast.upload(values(8), [2, 4]), W)).toThrow(/linear: input \[2, 4\] does not end in 3/);
    expect(() => fast.gather(W, Int32Array.from([0, 4]))).toThrow(/token id 4 at index 1 is outside the vocabulary \[0, 4\)/);
  });
});
