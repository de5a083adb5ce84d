/**
 * Gradients against central finite differences of an independent float64 forward
 * (test/f64-forward.ts) on tiny random models of all four architectures, at every hook point the
 * model has (resid, norm scales and outputs, q/k/v, rotary, scores, pattern, z, per-head result,
 * attn_out, MLP pre/pre_linear/post/out, embeddings, final norm): up to 24 single entries per hook
 * plus two dense ±1 directions, each |g·u − fd| ≤ 1e-3·|fd| + 1e-6·max(1, max|fd| of the hook).
 * Also through interventions (their VJPs).
 */
import { describe, expect, it } from 'vitest';
import type { HostWeight } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { Intervention } from '../hooks/interventions.ts';
import { selectionMask } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import type { ModelSpec } from '../model/spec.ts';
import type { ModelWeights } from '../model/weights.ts';
import type { OnHook } from '../../test/f64-forward.ts';
import { forward64 } from '../../test/f64-forward.ts';
import { gradients } from './gradients.ts';
import type { DifferentiableMetric } from './metric.ts';
import { logitDiff, logitOf } from './metric.ts';

const TYPES: ModelSpec['modelType'][] = ['gpt2', 'gpt_neox', 'llama', 'qwen2'];
const ids = [3, 17, 9, 3, 21];

function tiny(type: ModelSpec['modelType']): { model: Model; weights: ModelWeights<HostWeight> } {
  const gqa = type === 'llama' || type === 'qwen2';
  const spec = smallSpec(type, {
    dModel: 16, nHeads: 4, nKvHeads: gqa ? 2 : 4, dHead: 4, dMlp: 20, dVocab: 24, nCtx: 16,
    rotaryDims: type === 'gpt_neox' ? 2 : type === 'gpt2' ? 0 : 4,
  });
  // σ 0.5: attention far from uniform and activations in GELU/SiLU's curved range.
  const weights = randomWeights(spec, 11, 0.5);
  return { model: modelOnBackend({ label: `tiny-${type}`, spec, weights, tokenizer: null }, createCpuBackend()), weights };
}

/** The f64 counterpart of the declarative interventions used here (zero, scale, mean). */
function applyInterventions(model: Model, ivs: readonly Intervention[]): OnHook {
  return (name, x, shape) => {
    let out: Float64Array | undefined;
    for (const iv of ivs.filter((i) => i.hook === name)) {
      const point = model.hookPoints.find((p) => p.name === name)!;
      const mask = selectionMask(shape, iv, { point, posOffset: 0 }) ?? new Float32Array(x.length).fill(1);
      const src = out ?? x;
      const posAxis = point.axes.indexOf('pos');
      const stride = shape.slice(posAxis + 1).reduce((a, b) => a * b, 1);
      const nPos = shape[posAxis];
      out = src.map((v, i) => {
        if (!mask[i]) return v;
        if (iv.op === 'zero') return 0;
        if (iv.op === 'scale') return v * iv.factor!;
        // mean over positions of the same input
        const inner = i % stride;
        const outer = Math.floor(i / (stride * nPos));
        let s = 0;
        for (let p = 0; p < nPos; p++) s += src[outer * stride * nPos + p * stride + inner];
        return s / nPos;
      });
    }
    return out;
  };
}

function metric64(logits: Float64Array, S: number, V: number, m: { tokens: [number, number][]; pos: number }): number {
  const at = m.pos < 0 ? S + m.pos : m.pos;
  return m.tokens.reduce((s, [t, w]) => s + w * logits[at * V + t], 0);
}

async function checkAgainstFd(
  type: ModelSpec['modelType'],
  metric: DifferentiableMetric,
  m64: { tokens: [number, number][]; pos: number },
  interventions: Intervention[] = [],
): Promise<void> {
  const { model, weights } = tiny(type);
  const { spec } = model;
  const r = await gradients(model, { ids }, { metric, wrt: ['**'], interventions });
  const base = applyInterventions(model, interventions);
  const h = 1e-4;
  let worst = 0;
  let checked = 0;
  for (const point of model.hookPoints) {
    const g = r.grads[point.name];
    expect(g, point.name).toBeDefined();
    const n = g.data.length;
    /** Central difference of the f64 metric along direction u (sparse: index → weight). */
    const fd = (u: ReadonlyMap<number, number>) => {
      const evalAt = (sign: number) => {
        const logits = forward64(spec, weights, ids, (name, x, shape) => {
          const y = base(name, x, shape) ?? x;
          if (name !== point.name) return y;
          const z = Float64Array.from(y);
          for (const [i, w] of u) z[i] += sign * h * w;
          return z;
        });
        return metric64(logits, ids.length, spec.dVocab, m64);
      };
      return (evalAt(1) - evalAt(-1)) / (2 * h);
    };
    // Single entries: all of a small hook, else 24 spread over it (both ends included); then two
    // dense ±1 directions, which see every entry at once.
    const picks = n <= 24 ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: 24 }, (_, k) => Math.round((k * (n - 1)) / 23));
    const cases: { label: string; u: Map<number, number> }[] = picks.map((i) => ({ label: `[${i}]`, u: new Map([[i, 1]]) }));
    for (let k = 0; k < 2; k++) cases.push({ label: `·u${k}`, u: new Map(Array.from({ length: n }, (_, i) => [i, Math.sin(7.3 * i + 1.1 + k) > 0 ? 1 : -1])) });
    const want = cases.map((c) => fd(c.u));
    const got = cases.map((c) => [...c.u].reduce((s, [i, w]) => s + w * g.data[i], 0));
    const scale = Math.max(1, ...want.map(Math.abs));
    cases.forEach((c, k) => {
      const err = Math.abs(got[k] - want[k]);
      const tol = 1e-3 * Math.abs(want[k]) + 1e-6 * scale;
      worst = Math.max(worst, err / tol);
      checked++;
      if (!(err <= tol)) expect.fail(`${type} ${point.name}${c.label}: gradient ${got[k]}, finite difference ${want[k]}`);
    });
  }
  console.log(`${type} ${metric.label}: ${checked} checks on ${model.hookPoints.length} hooks, worst error/tolerance ${worst.toFixed(3)}`);
}

describe.each(TYPES)('gradients vs float64 finite differences: %s', (type) => {
  it('logit difference at the last position, every hook', async () => {
    await checkAgainstFd(type, logitDiff(5, 7), { tokens: [[5, 1], [7, -1]], pos: -1 });
  });
  it('a logit at an inner position (all-position logits), every hook', async () => {
    await checkAgainstFd(type, logitOf(11, 2), { tokens: [[11, 1]], pos: 2 });
  });
  it('through zero / scale / mean interventions', async () => {
    const ivs: Intervention[] = [
      { hook: hook.residPre(1), op: 'scale', factor: 0.5, pos: 2 },
      { hook: hook.z(0), op: 'mean', head: 1 },
      { hook: hook.mlpPost(0), op: 'zero', neuron: [1, 3] },
      { hook: hook.lnScale(1, 2), op: 'scale', factor: 1.5 },
      { hook: hook.pattern(1), op: 'zero', head: 0, pos: 4 },
    ];
    await checkAgainstFd(type, logitDiff(5, 7), { tokens: [[5, 1], [7, -1]], pos: -1 }, ivs);
  });
});

describe('gradients of a left-padded batch', () => {
  it('equal each row alone, halved (the metric is the mean over rows)', async () => {
    const { model } = tiny('llama');
    const rows = [ids, ids.slice(0, 3)];
    const wrt = [hook.residPre(0), hook.z(1), hook.k(0), hook.pattern(1)];
    const both = await gradients(model, { ids: rows }, { metric: logitDiff(5, 7), wrt });
    for (const [r, row] of rows.entries()) {
      const alone = await gradients(model, { ids: row }, { metric: logitDiff(5, 7), wrt });
      const pad = ids.length - row.length;
      for (const name of [hook.residPre(0), hook.z(1), hook.k(0)]) {
        const g = alone.grads[name];
        const per = g.data.length / row.length; // entries per position
        const start = r * ids.length * per + pad * per;
        const got = both.grads[name].data.subarray(start, start + g.data.length);
        g.data.forEach((v, i) => expect(Math.abs(got[i] - v / 2), `${name} row ${r}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(v))));
        // Padding positions get no gradient.
        expect(Array.from(both.grads[name].data.subarray(r * ids.length * per, start)).every((v) => v === 0)).toBe(true);
      }
    }
    expect(both.value).toBeCloseTo(((await gradients(model, { ids }, { metric: logitDiff(5, 7), wrt: [] })).value + (await gradients(model, { ids: rows[1] }, { metric: logitDiff(5, 7), wrt: [] })).value) / 2, 5);
  });
});
