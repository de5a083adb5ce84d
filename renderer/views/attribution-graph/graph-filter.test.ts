import { describe, expect, it } from 'vitest';
import type { GraphView } from '../../../analysis/registry/views.ts';
import { filterGraph, nodeEdges, supernodeId } from './graph-filter.ts';

const view: GraphView = {
  kind: 'graph',
  title: 'g',
  x: { title: 'pos', labels: ['0: a', '1: b'] },
  y: { title: 'layer', labels: ['embed', 'L0', 'L1', 'logits'] },
  nodes: [
    { id: 'E_5_0', label: 'e0', kind: 'embedding', x: 0, y: 0, size: 0.5 },
    { id: '0_3_1', label: 'f3', kind: 'feature', x: 1, y: 1, size: 0.8, cumulativeInfluence: 0.2 },
    { id: '0_4_1', label: 'f4', kind: 'feature', x: 1, y: 1, size: 0.3, cumulativeInfluence: 0.7 },
    { id: '0_1_1', label: 'err', kind: 'error', x: 1, y: 2, size: 0.6, cumulativeInfluence: 0.4 },
    { id: '3_9_1', label: 'logit', kind: 'logit', x: 1, y: 3, size: 0.9 },
  ],
  edges: [
    { source: 'E_5_0', target: '0_3_1', weight: 2 },
    { source: 'E_5_0', target: '0_4_1', weight: -1 },
    { source: '0_3_1', target: '3_9_1', weight: 1.5 },
    { source: '0_4_1', target: '3_9_1', weight: 0.5 },
    { source: '0_1_1', target: '3_9_1', weight: -3 },
  ],
};

describe('attribution graph view filter', () => {
  it('keeps nodes up to the influence threshold, always embeddings and logits, and drops dangling edges', () => {
    const g = filterGraph(view, { influence: 0.5, hideErrors: false, supernodes: [] });
    expect(g.nodes.map((n) => n.id)).toEqual(['E_5_0', '0_3_1', '0_1_1', '3_9_1']);
    expect(g.edges).toHaveLength(3);
  });

  it('hides error nodes on request', () => {
    const g = filterGraph(view, { influence: 1, hideErrors: true, supernodes: [] });
    expect(g.nodes.some((n) => n.kind === 'error')).toBe(false);
    expect(g.edges.some((e) => e.source === '0_1_1')).toBe(false);
  });

  it('a supernode stands for its members: edges summed, internal edges dropped', () => {
    const g = filterGraph(view, { influence: 1, hideErrors: false, supernodes: [{ name: 'both', members: ['0_3_1', '0_4_1'] }] });
    const id = supernodeId('both');
    expect(g.nodes.find((n) => n.id === id)?.label).toBe('both (2 nodes)');
    expect(g.edges.find((e) => e.source === 'E_5_0' && e.target === id)?.weight).toBe(1);
    expect(g.edges.find((e) => e.source === id && e.target === '3_9_1')?.weight).toBe(2);
    expect(g.nodes.some((n) => n.id === '0_3_1')).toBe(false);
  });

  it('lists a node’s edges, largest |weight| first', () => {
    const { incoming, outgoing } = nodeEdges(view, '3_9_1');
    expect(incoming.map((e) => e.weight)).toEqual([-3, 1.5, 0.5]);
    expect(outgoing).toEqual([]);
  });
});
