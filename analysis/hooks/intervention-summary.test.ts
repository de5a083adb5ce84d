import { describe, expect, it } from 'vitest';
import { interventionSummary } from './intervention-summary.ts';
import { parseInterventions } from './interventions.ts';

describe('intervention summary', () => {
  it('prints the model and one line per intervention with its selection', () => {
    const ivs = parseInterventions([
      { hook: 'blocks.3.attn.hook_z', op: 'zero', head: 2 },
      { hook: 'blocks.1.mlp.hook_post', op: 'scale', factor: 0.5, neuron: [5, 7], pos: 3 },
      { hook: 'blocks.0.hook_resid_pre', op: 'resample', source: 'corrupt' },
    ]);
    expect(interventionSummary('builtin:stories260K', ivs)).toBe(
      [
        'builtin:stories260K',
        '  + zero blocks.3.attn.hook_z · head 2',
        '  + scale ×0.5 blocks.1.mlp.hook_post · pos 3 · neurons 5, 7',
        '  + resample from "corrupt" blocks.0.hook_resid_pre',
      ].join('\n'),
    );
    expect(interventionSummary('m', [])).toBe('m (no interventions)');
  });
});
