import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { decodeNeuron } from '../../analysis/methods/neurons.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { openModel } from '../open.ts';

type Side = { top: { id: number; token: string | null; value: number }[]; bottom: { id: number; token: string | null; value: number }[] };

describe('probescope neurons', () => {
  it('decodes input, gate and output directions like the library', async () => {
    const out = jsonOf(await runCli(['neurons', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--layer', '2', '--neuron', '17', '--top-k', '4', '--norm-gain', '--json'])) as unknown as {
      layer: number;
      neuron: number;
      input: Side;
      gate: Side | null;
      output: Side;
    };
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await decodeNeuron(model, { layer: 2, neuron: 17, topK: 4, applyNormGain: true });
    expect([out.layer, out.neuron]).toEqual([2, 17]);
    for (const [side, dir] of [[out.input, lib.input], [out.gate!, lib.gate!], [out.output, lib.output]] as const) {
      expect(side.top).toEqual(dir.top.map(({ id, token, value }) => ({ id, token, value })));
      expect(side.bottom).toEqual(dir.bottom.map(({ id, token, value }) => ({ id, token, value })));
      expect(side.top).toHaveLength(4);
    }
  });

  it('fails with one clear line for a neuron outside the MLP', async () => {
    const r = await runCli(['neurons', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--layer', '0', '--neuron', '172', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(["probescope neurons: neuron 172 is outside layer 0's MLP [0, 172)"]);
    const missing = await runCli(['neurons', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--neuron', '3']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('probescope neurons: --layer is required');
  });
});
