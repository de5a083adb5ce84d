/**
 * ObsProp's result carries every decoded token's value: for each head's (and MLP's) feature y,
 * the tokens it promotes and suppresses are the largest and smallest entries of W_U y, each with
 * its value, computed here directly as the dot product of y with the token's unembedding row; the
 * features table shows those values beside the tokens.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { obsprop } from '../methods/obsprop.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import type { DecodedToken } from './decoded-json.ts';
import type { ObsPropJson } from './obsprop.ts';
import { METHODS } from './registry.ts';
import type { TableView } from './views.ts';

// Untied: the unembedding is its own matrix, not the embedding.
const spec = smallSpec('llama');
const model = modelOnBackend({ label: 'random-llama', spec, weights: randomWeights(spec, 5), tokenizer: null }, createCpuBackend());
const ids = [3, 17, 42, 5, 9, 33];
const K = 4;

/** (W_U y)[v] for every token v: y · row v of the unembedding [vocab, dModel], in float64. */
async function unembedded(y: ArrayLike<number>): Promise<Float64Array> {
  const [w] = await model.backend.read([model.weights.unembed]);
  const d = spec.dModel;
  return Float64Array.from({ length: spec.dVocab }, (_, v) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += Math.fround(y[i]) * w[v * d + i];
    return s;
  });
}

/** The decoded tokens are W_U y's K largest (highest first) and K smallest (lowest first), each with its value. */
async function expectDecoded(decoded: { top: DecodedToken[]; bottom: DecodedToken[] }, y: ArrayLike<number>) {
  const values = await unembedded(y);
  const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]);
  expect(decoded.top.map((t) => t.id)).toEqual(order.slice(0, K));
  expect(decoded.bottom.map((t) => t.id)).toEqual(order.slice(-K).reverse());
  for (const t of [...decoded.top, ...decoded.bottom]) {
    expect(t.token).toBe(String(t.id));
    expect(Math.abs(t.value! - values[t.id])).toBeLessThan(1e-5 * (1 + Math.abs(values[t.id])));
  }
}

describe('ObsProp decoded token values', () => {
  it('each head and MLP feature carries its decoded tokens with (W_U y)[token], and the features table shows them', async () => {
    const ctx = { prompts: { cell: 'p', items: [{ ids }] }, dataset: null, signal: new AbortController().signal, onProgress: () => {} };
    const params = { positive: [7], negative: [30], prompt: 0, effects: 'none', decodeTopK: K };
    const r = (await METHODS.get('obsprop')!.run(model, params, ctx)) as ObsPropJson;
    // The features y themselves, from the method library (the registry result does not carry them).
    const lib = await obsprop(model, { positive: [7], negative: [30], prompt: { ids }, pos: -1, scales: 'prompt', effects: 'none', topK: 0, similarity: false });

    expect(r.ranking).toHaveLength(spec.nLayers * spec.nHeads);
    for (const h of r.ranking) {
      const [, layer, head] = /^L(\d+)H(\d+)$/.exec(h.head)!.map(Number);
      await expectDecoded(h.decoded, lib.heads[layer][head].feature);
      expect(h.promotes).toEqual(h.decoded.top.map((t) => t.token));
      expect(h.suppresses).toEqual(h.decoded.bottom.map((t) => t.token));
    }
    expect(r.mlps).toHaveLength(spec.nLayers);
    for (const m of r.mlps) await expectDecoded(m.decoded, lib.mlps[m.layer]!.feature);

    const table = METHODS.get('obsprop')!.view(r, 'features') as TableView;
    r.ranking.forEach((h, i) => {
      for (const [column, tokens] of [[3, h.decoded.top], [4, h.decoded.bottom]] as const) {
        const cell = String(table.rows[i][column]);
        const shown = [...cell.matchAll(/"([^"]*)" (\S+)/g)].map((m) => ({ token: m[1], value: Number(m[2]) }));
        expect(shown.map((s) => s.token)).toEqual(tokens.map((t) => t.token));
        shown.forEach((s, j) => expect(Math.abs(s.value - tokens[j].value!)).toBeLessThanOrEqual(5e-3 * Math.abs(tokens[j].value!)));
      }
    });
  });
});
