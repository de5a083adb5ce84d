import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NodeFolderSource } from '../../formats/node-source.ts';
import { openDictionaries } from '../../dictionaries/open.ts';
import { loadFixtureModel } from '../../../test/fixture-model.ts';
import { FIXTURES } from '../../../test/reference.ts';
import { attributionGraph } from './graph.ts';
import { graphTranscoder } from './from-dictionary.ts';

interface TranscoderGolden {
  readonly inputs: { input_ids: number[]; feature_acts: Record<string, [number, number][]>; error: number[][] }[];
}
const HOSTS = ['stories260K-hf', 'gemma3-tiny'] as const;

describe.each(HOSTS)('attribution graph with the fixture transcoders of %s', (host) => {
  const SAES = `${FIXTURES}saes/${host}/`;
  const golden = JSON.parse(readFileSync(`${SAES}jumprelu_transcoder-L1-mlp/reference.json`, 'utf8')) as TranscoderGolden;
  const IDS = golden.inputs[0].input_ids;

  it('is exactly linear with the jumprelu transcoder of layer 1, and its SAELens and circuit-tracer copies give the same graph', async () => {
    const model = await loadFixtureModel(host);
    const [saelens] = await openDictionaries(new NodeFolderSource(`${SAES}jumprelu_transcoder-L1-mlp`));
    const tracer = await openDictionaries(new NodeFolderSource(`${SAES}circuit_tracer-L1-mlp`), { nLayers: model.spec.nLayers });
    expect(tracer).toHaveLength(1);
    const a = await attributionGraph(model, { ids: IDS }, { transcoders: [graphTranscoder(saelens)] });
    const b = await attributionGraph(model, { ids: IDS }, { transcoders: [graphTranscoder(tracer[0])] });
    expect(a.layout.features).toBeGreaterThan(50);
    expect(a.checks.maxIdentityError).toBeLessThan(1e-4);
    expect(b.features).toEqual(a.features);
    // The graph's feature nodes and error nodes are the fixture's (independent float64 reference).
    const expected = Object.entries(golden.inputs[0].feature_acts).flatMap(([p, acts]) => acts.map(([f, v]) => ({ pos: Number(p), feature: f, v })));
    expect(a.features.map((f) => [f.pos, f.feature])).toEqual(expected.map((e) => [e.pos, e.feature]));
    a.features.forEach((f, i) => expect(Math.abs(f.activation - expected[i].v)).toBeLessThan(1e-4 + 1e-4 * Math.abs(expected[i].v)));
    golden.inputs[0].error.forEach((row, p) => {
      const norm = Math.hypot(...row);
      const node = a.values[a.layout.features + 1 * IDS.length + p];
      expect(Math.abs(node - norm)).toBeLessThan(1e-4 + 1e-4 * norm);
    });
    let worst = 0;
    for (let i = 0; i < a.adjacency.length; i++) worst = Math.max(worst, Math.abs(a.adjacency[i] - b.adjacency[i]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('refuses an SAE (not a transcoder), naming it', async () => {
    const [sae] = await openDictionaries(new NodeFolderSource(`${SAES}topk-L2-resid_post`));
    expect(() => graphTranscoder(sae)).toThrow(/topk-L2-resid_post.*needs transcoders/);
  });
});
