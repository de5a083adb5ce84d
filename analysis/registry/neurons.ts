/**
 * Step "neuron-decoding" → analysis/methods/neurons.ts: an MLP neuron's input (and gate) and
 * output directions read through the LM head — the tokens it is tuned to and the tokens it promotes.
 */
import { z } from 'zod';
import type { DecodedDirection } from '../methods/neurons.ts';
import { decodeNeuron } from '../methods/neurons.ts';
import { num } from './common.ts';
import { defineMethod } from './define.ts';

const Params = z.strictObject({
  layer: z.number().int().nonnegative(),
  neuron: z.number().int().nonnegative(),
  topK: z.number().int().min(1).max(100).default(10),
  applyNormGain: z.boolean().default(false),
});

type Tok = { id: number; token: string; value: number | null };
type Decoded = { top: Tok[]; bottom: Tok[] };
type NeuronJson = { layer: number; neuron: number; input: Decoded; gate: Decoded | null; output: Decoded };

function decoded(d: DecodedDirection): Decoded {
  const tok = (t: DecodedDirection['top'][number]): Tok => ({ id: t.id, token: t.token ?? String(t.id), value: num(t.value) });
  return { top: d.top.map(tok), bottom: d.bottom.map(tok) };
}

export const neuronsStep = defineMethod({
  method: 'neuron-decoding',
  title: 'Neuron decoding',
  description: 'Decode an MLP neuron’s input and output directions through the LM head.',
  version: 1,
  params: Params,
  input: 'none',
  cli: { aliases: ['neurons'], flagAliases: { 'norm-gain': 'apply-norm-gain' }, textViews: ['tokens'] },
  views: { output: 'series', input: 'series', tokens: 'table' },
  defaultFigure: { view: 'output', type: 'bar' },
  async run(model, p): Promise<NeuronJson> {
    const r = await decodeNeuron(model, p);
    return { layer: r.layer, neuron: r.neuron, input: decoded(r.input), gate: r.gate ? decoded(r.gate) : null, output: decoded(r.output) };
  },
  view(r, name) {
    const id = `L${r.layer} neuron ${r.neuron}`;
    if (name === 'tokens') {
      const dirs = [['input', r.input], ...(r.gate ? [['gate', r.gate] as const] : []), ['output', r.output]] as const;
      return {
        kind: 'table',
        title: `${id}: top and bottom tokens of W_U v`,
        columns: ['direction', 'end', 'rank', 'token', 'id', 'value'],
        rows: dirs.flatMap(([dir, d]) => (['top', 'bottom'] as const).flatMap((end) => d[end].map((t, i) => [dir, end, i + 1, JSON.stringify(t.token), t.id, t.value]))),
      };
    }
    const d = name === 'input' ? r.input : r.output;
    const toks = [...d.top, ...[...d.bottom].reverse()];
    return {
      kind: 'series',
      title: `${id}: ${name} direction through the LM head (top and bottom tokens)`,
      x: { title: 'token', labels: toks.map((t, i) => `${i < d.top.length ? '+' : '−'}${i < d.top.length ? i + 1 : toks.length - i}: ${JSON.stringify(t.token)}`) },
      yTitle: 'W_U v',
      traces: [{ name: 'W_U v', values: toks.map((t) => t.value) }],
    };
  },
});
