/**
 * Comparing intervention lists (does a result still describe the model?): lists called the same
 * give bit-identical logits, and lists called different — another order, another selection,
 * another factor — give other logits, on a random model through `run`.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../model/run.ts';
import { randomModel, SAMPLE_IDS } from '../../test/random-models.ts';
import { canonicalIntervention, sameInterventionList } from './intervention-list.ts';
import type { Intervention } from './interventions.ts';

const model = randomModel('gpt2');
const HOOK = 'blocks.0.hook_resid_post';
const d = model.spec.dModel;
const vector = Array.from({ length: d }, (_, i) => (i % 3) - 1);
const SCALE: Intervention = { hook: HOOK, op: 'scale', factor: 2, pos: [3, 1] };
const ADD: Intervention = { hook: HOOK, op: 'add', vector, pos: [1, 3] };

async function logits(interventions: readonly Intervention[]): Promise<Float32Array> {
  return (await run(model, { ids: SAMPLE_IDS }, { interventions: [...interventions], logits: 'last' })).logits!.data;
}

describe('intervention lists compared canonically and in order', () => {
  it('calls the same what selects and changes the same: one index or a list of it, any index order, any key order', async () => {
    const same: [Intervention, Intervention][] = [
      [{ hook: 'blocks.1.attn.hook_z', op: 'zero', head: 2 }, { op: 'zero', head: [2], hook: 'blocks.1.attn.hook_z' }],
      [SCALE, { hook: HOOK, op: 'scale', pos: [1, 3, 3], factor: 2 }],
      [{ hook: HOOK, op: 'zero', head: undefined }, { hook: HOOK, op: 'zero' }],
    ];
    for (const [a, b] of same) {
      expect(canonicalIntervention(a)).toBe(canonicalIntervention(b));
      expect(sameInterventionList([a], [b])).toBe(true);
    }
    // The identity the comparison stands for: the same logits, bit for bit.
    expect(await logits([SCALE, ADD])).toEqual(await logits([same[1][1], { ...ADD, pos: [3, 1] }]));
  });

  it('calls different another order (interventions compose in order), another selection, value or hook, and another length', async () => {
    expect(sameInterventionList([SCALE, ADD], [ADD, SCALE])).toBe(false);
    // 2·(x + v) is not 2·x + v: the order changes the model.
    expect(await logits([SCALE, ADD])).not.toEqual(await logits([ADD, SCALE]));
    const different: Intervention[] = [{ ...SCALE, factor: 3 }, { ...SCALE, pos: 1 }, { ...SCALE, hook: 'blocks.1.hook_resid_post' }, { ...SCALE, batch: 0, pos: undefined }];
    for (const other of different) {
      expect(sameInterventionList([SCALE], [other])).toBe(false);
      expect(await logits([other])).not.toEqual(await logits([SCALE]));
    }
    expect(sameInterventionList([SCALE], [SCALE, SCALE])).toBe(false);
    expect(sameInterventionList([], [])).toBe(true);
    expect(sameInterventionList([SCALE], [])).toBe(false);
  });
});
