/**
 * Engine invariants on small random models of every architecture (CPU backend). The fixture
 * references (test/fixtures.test.ts) check values; these check the hook layer's guarantees.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { hook } from '../hooks/points.ts';
import { generate } from './generate.ts';
import type { Model } from './model.ts';
import { modelOnBackend } from './model.ts';
import { randomWeights, smallSpec } from './random.ts';
import { run } from './run.ts';
import type { ModelSpec } from './spec.ts';

const TYPES: ModelSpec['modelType'][] = ['gpt2', 'gpt_neox', 'llama', 'qwen2'];

function model(type: ModelSpec['modelType']): Model {
  const spec = smallSpec(type);
  return modelOnBackend({ label: `random-${type}`, spec, weights: randomWeights(spec, 7), tokenizer: null }, createCpuBackend());
}

const ids = [3, 17, 42, 5, 9, 33, 2, 61, 17, 42];

describe.each(TYPES)('engine invariants: %s', (type) => {
  const m = model(type);

  it('a no-op intervention leaves logits bit-identical', async () => {
    const clean = await run(m, { ids });
    const noop = await run(m, { ids }, {
      interventions: [
        { hook: hook.residPre(1), op: 'scale', factor: 1 },
        { hook: hook.z(0), op: 'scale', factor: 1, head: 1 },
        { hook: hook.mlpPost(0), op: 'add', vector: new Array(m.spec.dMlp).fill(0) },
        { hook: hook.pattern(1), op: 'scale', factor: 1, pos: [2, 5] },
      ],
    });
    const changed = await run(m, { ids }, { interventions: [{ hook: hook.residPre(1), op: 'scale', factor: 1.0001 }] });
    expect(Buffer.from(changed.logits!.data.buffer).equals(Buffer.from(clean.logits!.data.buffer))).toBe(false);
    expect(Buffer.from(noop.logits!.data.buffer).equals(Buffer.from(clean.logits!.data.buffer))).toBe(true);
  });

  it('attention pattern rows sum to 1 and masked entries are exactly 0', async () => {
    const r = await run(m, { ids }, { capture: ['blocks.*.attn.hook_pattern'] });
    for (let l = 0; l < m.spec.nLayers; l++) {
      const { data, shape } = r.cache[hook.pattern(l)];
      expect(shape).toEqual([1, m.spec.nHeads, ids.length, ids.length]);
      const n = ids.length;
      for (let row = 0; row < data.length / n; row++) {
        const q = row % n;
        let s = 0;
        for (let k = 0; k < n; k++) {
          if (k > q) expect(data[row * n + k]).toBe(0);
          s += data[row * n + k];
        }
        expect(Math.abs(s - 1)).toBeLessThan(1e-6);
      }
    }
  });

  it('an intervention at position p changes nothing before p', async () => {
    const p = 4;
    const clean = await run(m, { ids }, { capture: ['**'] });
    const hit = await run(m, { ids }, { capture: ['**'], interventions: [{ hook: hook.residPre(0), op: 'zero', pos: p }] });
    const V = m.spec.dVocab;
    expect(Array.from(hit.logits!.data.subarray(0, p * V))).toEqual(Array.from(clean.logits!.data.subarray(0, p * V)));
    expect(Array.from(hit.logits!.data.subarray(p * V, (p + 1) * V))).not.toEqual(Array.from(clean.logits!.data.subarray(p * V, (p + 1) * V)));
  });

  it("a head's intervention changes nothing upstream of its layer", async () => {
    const all = ['**'];
    const clean = await run(m, { ids }, { capture: all });
    const hit = await run(m, { ids }, { capture: all, interventions: [{ hook: hook.z(1), op: 'zero', head: 2 }] });
    for (const point of m.hookPoints) {
      const a = hit.cache[point.name];
      const b = clean.cache[point.name];
      const upstream = point.layer === 0 || point.name === hook.embed || point.name === hook.posEmbed || point.name === hook.residPre(1);
      if (upstream) expect(Array.from(a.data), point.name).toEqual(Array.from(b.data));
    }
    expect(Array.from(hit.cache[hook.residPost(1)].data)).not.toEqual(Array.from(clean.cache[hook.residPost(1)].data));
  });

  it('per-head results sum (with b_O) to attn_out', async () => {
    const r = await run(m, { ids }, { capture: [hook.result(0), hook.attnOut(0)] });
    const plain = await run(m, { ids }, { capture: [hook.attnOut(0)] });
    const res = r.cache[hook.result(0)];
    expect(res.shape).toEqual([1, ids.length, m.spec.nHeads, m.spec.dModel]);
    const out = plain.cache[hook.attnOut(0)].data;
    const d = m.spec.dModel;
    const H = m.spec.nHeads;
    const bO = m.weights.blocks[0].attn.bO;
    const bias = bO ? (m.backend as ReturnType<typeof createCpuBackend>).data(bO) : new Float32Array(d);
    for (let p = 0; p < ids.length; p++) {
      for (let i = 0; i < d; i++) {
        let s = bias[i];
        for (let h = 0; h < H; h++) s += res.data[((p * H) + h) * d + i];
        expect(Math.abs(s - out[p * d + i])).toBeLessThan(1e-5 * (1 + Math.abs(out[p * d + i])));
      }
    }
  });

  it('left-padded batch rows equal the unpadded runs (1e-5 relative)', async () => {
    const short = ids.slice(0, 6);
    const batch = await run(m, { ids: [ids, short] });
    const alone = await run(m, { ids: short });
    const V = m.spec.dVocab;
    expect(batch.padding).toEqual([0, 4]);
    const row = batch.logits!.data.subarray((ids.length + 4) * V, 2 * ids.length * V);
    const ref = alone.logits!.data;
    for (let i = 0; i < ref.length; i++) expect(Math.abs(row[i] - ref[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref[i])));
    expect(batch.lossPerRow![1]).toBeCloseTo(alone.loss!, 5);
  });

  it('KV-cached greedy generation matches re-running the full sequence', async () => {
    const prompt = ids.slice(0, 4);
    const g = await generate(m, { ids: prompt }, { maxNewTokens: 6 });
    const full = [...prompt, ...g.newIds];
    const r = await run(m, { ids: full });
    const V = m.spec.dVocab;
    for (let s = 0; s < g.newIds.length; s++) {
      const row = r.logits!.data.subarray((prompt.length - 1 + s) * V, (prompt.length + s) * V);
      let best = 0;
      for (let i = 1; i < V; i++) if (row[i] > row[best]) best = i;
      expect(g.newIds[s]).toBe(best);
    }
  });

  it('captures only what was asked', async () => {
    const r = await run(m, { ids }, { capture: ['blocks.1.attn.hook_z'] });
    expect(Object.keys(r.cache)).toEqual(['blocks.1.attn.hook_z']);
    await expect(run(m, { ids }, { capture: ['blocks.*.attn.hook_patern'] })).rejects.toThrow(/matches no hook point/);
  });
});

describe('interventions', () => {
  const m = model('llama');
  it('zero at one head and position zeroes exactly that slice', async () => {
    const r = await run(m, { ids }, { capture: [hook.z(0)], interventions: [{ hook: hook.z(0), op: 'zero', head: 1, pos: 3 }] });
    const clean = await run(m, { ids }, { capture: [hook.z(0)] });
    const { data } = r.cache[hook.z(0)];
    const c = clean.cache[hook.z(0)].data;
    const H = m.spec.nHeads;
    const dh = m.spec.dHead;
    for (let p = 0; p < ids.length; p++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < dh; i++) {
          const at = (p * H + h) * dh + i;
          expect(data[at]).toBe(p === 3 && h === 1 ? 0 : c[at]);
        }
      }
    }
  });
  it('mean replaces with the mean over positions; replace from a cache restores the source run', async () => {
    const other = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    const src = await run(m, { ids: other }, { capture: [hook.residPre(1)] });
    const patched = await run(m, { ids }, { interventions: [{ hook: hook.residPre(1), op: 'replace', source: 'other' }], caches: { other: src.cache } });
    const direct = await run(m, { ids: other });
    expect(Array.from(patched.logits!.data)).toEqual(Array.from(direct.logits!.data));
    const meaned = await run(m, { ids }, { capture: [hook.z(0)], interventions: [{ hook: hook.z(0), op: 'mean', head: 0 }] });
    const clean = await run(m, { ids }, { capture: [hook.z(0)] });
    const H = m.spec.nHeads;
    const dh = m.spec.dHead;
    for (let i = 0; i < dh; i++) {
      let mean = 0;
      for (let p = 0; p < ids.length; p++) mean += clean.cache[hook.z(0)].data[p * H * dh + i];
      mean /= ids.length;
      for (let p = 0; p < ids.length; p++) expect(meaned.cache[hook.z(0)].data[p * H * dh + i]).toBeCloseTo(mean, 6);
    }
  });
  it('mean over positions leaves left padding out: a padded row equals its unpadded run', async () => {
    const short = ids.slice(0, 6);
    const interventions = [
      { hook: hook.z(0), op: 'mean' as const, head: 1 },
      { hook: hook.pattern(1), op: 'mean' as const, head: 0 },
      { hook: hook.residPre(1), op: 'mean' as const },
    ];
    const batch = await run(m, { ids: [ids, short] }, { interventions });
    const alone = await run(m, { ids: short }, { interventions });
    const V = m.spec.dVocab;
    const row = batch.logits!.data.subarray((ids.length + 4) * V, 2 * ids.length * V);
    alone.logits!.data.forEach((v, i) => expect(Math.abs(row[i] - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
  });

  it('uniform makes a head average the values over its causal window', async () => {
    const r = await run(m, { ids }, { capture: [hook.pattern(0)], interventions: [{ hook: hook.pattern(0), op: 'uniform', head: 2 }] });
    const { data } = r.cache[hook.pattern(0)];
    const n = ids.length;
    for (let q = 0; q < n; q++) {
      for (let k = 0; k < n; k++) expect(data[(2 * n + q) * n + k]).toBeCloseTo(k <= q ? 1 / (q + 1) : 0, 6);
    }
  });
  it('callback hooks see the activation and may replace it', async () => {
    const seen: string[] = [];
    const r = await run(m, { ids }, {
      capture: [hook.residPost(0)],
      callbacks: [
        { hook: 'blocks.*.hook_resid_pre', fn: (x, ctx) => void seen.push(`${ctx.name} [${x.shape}]`) },
        { hook: hook.residPost(0), fn: (x, ctx) => ctx.backend.scale(x, 0) },
      ],
    });
    expect(seen).toEqual([`blocks.0.hook_resid_pre [1,${ids.length},32]`, `blocks.1.hook_resid_pre [1,${ids.length},32]`]);
    expect(r.cache[hook.residPost(0)].data.every((v) => v === 0)).toBe(true);
    const zeroed = await run(m, { ids }, { interventions: [{ hook: hook.residPost(0), op: 'zero' }] });
    expect(Array.from(r.logits!.data)).toEqual(Array.from(zeroed.logits!.data));
  });

  it('rejects malformed interventions with a specific message', async () => {
    await expect(run(m, { ids }, { interventions: [{ hook: hook.z(0), op: 'zero', head: 9 }] })).rejects.toThrow(/head index 9 is outside \[0, 4\)/);
    await expect(run(m, { ids }, { interventions: [{ hook: 'blocks.0.nope', op: 'zero' }] })).rejects.toThrow(/does not have/);
    await expect(run(m, { ids }, { interventions: [{ hook: hook.residPre(0), op: 'zero', head: 1 }] })).rejects.toThrow(/no head axis/);
  });
  it('rejects token ids outside the vocabulary and prompts longer than the context', async () => {
    await expect(run(m, { ids: [1, 64] })).rejects.toThrow(/token id 64 is outside the vocabulary/);
    await expect(run(m, { ids: new Array(65).fill(1) })).rejects.toThrow(/context of 64 tokens/);
    await expect(run(m, { text: 'hello' })).rejects.toThrow(/no tokenizer.json/);
  });
});
