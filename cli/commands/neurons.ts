/**
 * probescope neurons --model M --layer L --neuron J [--top-k K] [--norm-gain] [--backend cpu|webgpu] [--json]
 *
 * LM-head decoding of one MLP neuron's input (and gate) and output directions.
 */
import { parseArgs } from 'node:util';
import type { DecodedDirection } from '../../analysis/methods/neurons.ts';
import { decodeNeuron } from '../../analysis/methods/neurons.ts';
import { oneOf, parseInteger, UsageError } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';

export const NEURONS_USAGE = `probescope neurons --model <dir | builtin:stories260K> --layer L --neuron J [--top-k K] [--norm-gain]
  [--backend cpu|webgpu] [--json]`;

function required(flag: string, value: string | undefined): number {
  const n = parseInteger(flag, value);
  if (n === undefined) throw new UsageError(`${flag} is required`);
  return n;
}

function tokens(d: DecodedDirection) {
  const strip = ({ id, token, value }: { id: number; token: string | null; value: number }) => ({ id, token, value });
  return { top: d.top.map(strip), bottom: d.bottom.map(strip) };
}

export async function neuronsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
      layer: { type: 'string' },
      neuron: { type: 'string' },
      'top-k': { type: 'string' },
      'norm-gain': { type: 'boolean' },
    },
  });
  const layer = required('--layer', values.layer);
  const neuron = required('--neuron', values.neuron);
  const topK = parseInteger('--top-k', values['top-k'], 10);
  if (topK < 1) throw new UsageError(`--top-k: expected a positive integer, got ${topK}`);
  const backend = await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu'));
  const model = await openModel(values.model, backend);
  const r = await decodeNeuron(model, { layer, neuron, topK, applyNormGain: values['norm-gain'] ?? false });
  const out = { layer, neuron, norm_gain: values['norm-gain'] ?? false, input: tokens(r.input), gate: r.gate ? tokens(r.gate) : null, output: tokens(r.output) };
  if (values.json) {
    printJson(out);
    return 0;
  }
  const show = (t: { id: number; token: string | null; value: number }) => `${t.token === null ? t.id : JSON.stringify(t.token)} ${t.value.toFixed(3)}`;
  console.log(`neuron ${layer}.${neuron} decoded through W_U${out.norm_gain ? ' (with the final norm gain)' : ''}`);
  for (const [name, d] of [['input', out.input], ['gate', out.gate], ['output', out.output]] as const) {
    if (!d) continue;
    console.log(`${name.padEnd(6)} top     ${d.top.map(show).join('  ')}`);
    console.log(`${''.padEnd(6)} bottom  ${d.bottom.map(show).join('  ')}`);
  }
  return 0;
}
