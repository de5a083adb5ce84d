/**
 * What the attribution-graph view shows of a computed graph view: nodes above an influence
 * threshold, error nodes hidden or not, and supernodes (a group of nodes drawn as one, at their
 * mean position, with the edges of its members summed). Pure functions of the registry's graph
 * view, so the figure stays the one figure layer's node-link figure.
 */
import type { GraphNode, GraphView } from '../../../analysis/registry/views.ts';

export interface Supernode {
  readonly name: string;
  readonly members: readonly string[];
}

export interface GraphFilter {
  /** Keep nodes whose cumulative influence share is at most this (logits and embeddings always stay). */
  readonly influence: number;
  readonly hideErrors: boolean;
  readonly supernodes: readonly Supernode[];
}

/** Nodes without a cumulative influence (logits, embeddings) are always kept. */
function kept(node: GraphNode, influence: number): boolean {
  return node.cumulativeInfluence === undefined || node.cumulativeInfluence <= influence + 1e-12;
}

export function supernodeId(name: string): string {
  return `supernode:${name}`;
}

export function filterGraph(view: GraphView, filter: GraphFilter): GraphView {
  const visible = view.nodes.filter((n) => kept(n, filter.influence) && !(filter.hideErrors && n.kind === 'error'));
  const groupOf = new Map<string, string>();
  for (const s of filter.supernodes) for (const m of s.members) groupOf.set(m, supernodeId(s.name));
  const byId = new Map(visible.map((n) => [n.id, n]));
  const nodes: GraphNode[] = visible.filter((n) => !groupOf.has(n.id));
  for (const s of filter.supernodes) {
    const members = s.members.map((m) => byId.get(m)).filter((n): n is GraphNode => n !== undefined);
    if (members.length === 0) continue;
    const mean = (f: (n: GraphNode) => number) => members.reduce((a, n) => a + f(n), 0) / members.length;
    nodes.push({
      id: supernodeId(s.name),
      label: `${s.name} (${members.length} nodes)`,
      kind: members.every((m) => m.kind === members[0].kind) ? members[0].kind : 'feature',
      x: Math.round(mean((n) => n.x)),
      y: Math.round(mean((n) => n.y)),
      size: Math.max(...members.map((n) => n.size)),
    });
  }
  const shown = new Set(nodes.map((n) => n.id));
  const merged = new Map<string, { source: string; target: string; weight: number }>();
  for (const e of view.edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    const source = groupOf.get(e.source) ?? e.source;
    const target = groupOf.get(e.target) ?? e.target;
    if (source === target || !shown.has(source) || !shown.has(target)) continue;
    const key = `${source}\u0000${target}`;
    const prev = merged.get(key);
    merged.set(key, { source, target, weight: (prev?.weight ?? 0) + e.weight });
  }
  return { ...view, nodes, edges: [...merged.values()] };
}

/** A node's incoming and outgoing edges, largest |weight| first. */
export function nodeEdges(view: GraphView, id: string): { incoming: GraphView['edges']; outgoing: GraphView['edges'] } {
  const byWeight = (a: { weight: number }, b: { weight: number }) => Math.abs(b.weight) - Math.abs(a.weight);
  return {
    incoming: view.edges.filter((e) => e.target === id).sort(byWeight),
    outgoing: view.edges.filter((e) => e.source === id).sort(byWeight),
  };
}
