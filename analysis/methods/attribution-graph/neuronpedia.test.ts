import { describe, expect, it } from 'vitest';
import { plantedCircuit } from '../../../test/planted-circuit.ts';
import { attributionGraph } from './graph.ts';
import { nodeIds, toNeuronpediaGraph } from './neuronpedia.ts';

describe('Neuronpedia graph JSON', () => {
  it('lists the kept nodes with circuit-tracer ids and only links between them', async () => {
    const { model } = plantedCircuit();
    const ids = [5, 7, 9, 4, 11, 7];
    const g = await attributionGraph(model, { ids }, { transcoders: [] });
    const json = toNeuronpediaGraph(g, { slug: 'planted', scan: 'planted-circuit', prompt: 'planted', nLayers: 2, nodeThreshold: 0.8, tokenLabel: (t) => `t${t}` });
    const kept = g.pruned.nodeMask.reduce((a, v) => a + v, 0);
    expect(json.nodes).toHaveLength(kept);
    const known = new Set(json.nodes.map((n) => n.node_id));
    for (const link of json.links) {
      expect(known.has(link.source) && known.has(link.target)).toBe(true);
      expect(link.weight).not.toBe(0);
    }
    // Embeddings and logits always stay; the top logit is the target, on layer nLayers + 1.
    expect(json.nodes.filter((n) => n.feature_type === 'embedding').map((n) => n.node_id)).toEqual(ids.map((t, p) => `E_${t}_${p}`));
    const target = json.nodes.find((n) => n.is_target_logit)!;
    expect(target.node_id).toBe(`3_9_5`);
    expect(target.clerp).toBe(`Output "t9" (p=${g.logitProbabilities[0].toFixed(3)})`);
    expect(json.metadata.prompt_tokens).toEqual(ids.map((t) => `t${t}`));
    // The induction path's edge into the answer is among the links.
    expect(json.links.some((l) => l.source === 'E_9_2' && l.target === '3_9_5')).toBe(true);
    expect(nodeIds(g, 2)).toHaveLength(g.values.length);
  });
});
