import { describe, expect, it } from 'vitest';
import { graphScores, influence, normaliseRows, prune, thresholdFor } from './influence.ts';

// Nodes: feature 0, error 1, embedding 2, logit 3. logit ← (feature 2, error −1, embedding 1); feature ← embedding 3.
const layout = { features: 1, errors: 1, embeddings: 1, logits: 1 };
const A = Float32Array.from([0, 0, 3, 0, /* error */ 0, 0, 0, 0, /* embedding */ 0, 0, 0, 0, /* logit */ 2, -1, 1, 0]);

describe('attribution graph influence and scores (worked by hand)', () => {
  it('influence sums every path from the logits, weighted by |edge| shares', () => {
    // wÂ = [0.5, 0.25, 0.25, 0]; wÂ² = 0.5·row(feature) = [0, 0, 0.5, 0]; wÂ³ = 0.
    expect(Array.from(influence(normaliseRows(A, 4), 4, Float64Array.from([0, 0, 0, 1])))).toEqual([0.5, 0.25, 0.75, 0]);
  });

  it('replacement = token / (token + error) influence; completeness weights each row’s non-error share', () => {
    const s = graphScores(A, layout, [1]);
    expect(s.replacement).toBeCloseTo(0.75, 12);
    // out = influence + w = [0.5, 0.25, 0.75, 1]; only the logit row has an error share (0.25): (2.5 − 0.25)/2.5.
    expect(s.completeness).toBeCloseTo(0.9, 12);
  });

  it('node pruning keeps the top influence up to the threshold; embeddings and logits always stay', () => {
    expect(thresholdFor([0.5, 0.25, 0.75, 0], 0.8)).toBe(0.5);
    const p = prune(A, layout, [1], 0.8, 1);
    expect(Array.from(p.nodeMask)).toEqual([1, 0, 1, 1]);
    expect(p.edgeMask[3 * 4 + 1]).toBe(0); // the pruned error node's edge is gone
    expect(p.edgeMask[3 * 4 + 0]).toBe(1);
    expect(p.edgeMask[0 * 4 + 2]).toBe(1);
  });

  it('refuses a cyclic matrix and thresholds outside [0, 1]', () => {
    const cyclic = Float32Array.from([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(() => influence(normaliseRows(cyclic, 4), 4, Float64Array.from([0, 0, 0, 1]))).toThrow(/cycle/);
    expect(() => prune(A, layout, [1], 1.5, 0.9)).toThrow(/nodeThreshold must be in \[0, 1\]/);
  });
});
