import { describe, expect, it } from 'vitest';
import type { InterventionDraft, InterventionEntry } from './draft.ts';
import { sameInterventionList } from '../../analysis/hooks/intervention-list.ts';
import { draftToIntervention, moveEntry, parseIndices, removeEntry, runnableInterventions, toggleEntry } from './draft.ts';

const blank: InterventionDraft = { hook: 'blocks.1.attn.hook_z', op: 'zero', head: '', pos: '', neuron: '', factor: '', vector: '', prompt: 'corrupted prompt' };

describe('the add-intervention form', () => {
  it('parses index lists and refuses anything else', () => {
    expect(parseIndices('')).toBeUndefined();
    expect(parseIndices(' 3 ')).toBe(3);
    expect(parseIndices('1, 4')).toEqual([1, 4]);
    expect(parseIndices('1,,4')).toBeNull();
    expect(parseIndices('-1')).toBeNull();
    expect(parseIndices('2.5')).toBeNull();
  });

  it('turns fields into intervention JSON with only the keys the op uses', () => {
    expect(draftToIntervention({ ...blank, head: '2', pos: '0, 3' })).toEqual({ intervention: { hook: 'blocks.1.attn.hook_z', op: 'zero', head: 2, pos: [0, 3] }, problems: [] });
    expect(draftToIntervention({ ...blank, op: 'scale', factor: '0.5', vector: '1' }).intervention).toEqual({ hook: 'blocks.1.attn.hook_z', op: 'scale', factor: 0.5 });
    expect(draftToIntervention({ ...blank, op: 'replace' }).intervention).toEqual({ hook: 'blocks.1.attn.hook_z', op: 'replace', source: 'corrupted prompt' });
    expect(draftToIntervention({ ...blank, op: 'mean', prompt: 'clean prompt' }).intervention).toEqual({ hook: 'blocks.1.attn.hook_z', op: 'mean', reference: 'clean prompt' });
    expect(draftToIntervention({ ...blank, op: 'add', vector: '1, -2.5' }).intervention).toEqual({ hook: 'blocks.1.attn.hook_z', op: 'add', vector: [1, -2.5] });
  });

  it('names each bad field', () => {
    expect(draftToIntervention({ ...blank, hook: ' ', head: 'x', op: 'scale', factor: 'big' }).problems).toEqual([
      'hook: choose a hook',
      'head: “x” is not a list of whole numbers like 2 or 1, 3',
      'factor: “big” is not a number',
    ]);
    expect(draftToIntervention({ ...blank, op: 'add', vector: '1,,2' }).problems).toEqual(['vector: enter comma-separated numbers, one per entry of the hook’s last axis']);
  });
});

describe('the intervention list', () => {
  const iv = (hook: string) => ({ hook, op: 'zero' as const });
  const list: InterventionEntry[] = [1, 2, 3].map((id) => ({ id, enabled: true, intervention: iv(`h${id}`) }));
  const order = (l: InterventionEntry[]) => l.map((e) => e.id);

  it('moves up and down within the list, toggles and removes by id', () => {
    expect(order(moveEntry(list, 3, -1))).toEqual([1, 3, 2]);
    expect(order(moveEntry(list, 1, -1))).toEqual([1, 2, 3]);
    expect(order(moveEntry(list, 1, 1))).toEqual([2, 1, 3]);
    expect(order(moveEntry(list, 2, 5))).toEqual([1, 3, 2]);
    expect(toggleEntry(list, 2).map((e) => e.enabled)).toEqual([true, false, true]);
    expect(order(removeEntry(list, 2))).toEqual([1, 3]);
  });

  it('gives the engine the enabled entries without problems, in order: a turned-off entry leaves a result current', () => {
    const none = () => [];
    const ranWith = [iv('h1'), iv('h3')];
    const off = toggleEntry(list, 2);
    expect(runnableInterventions(off, none)).toEqual(ranWith);
    expect(sameInterventionList(ranWith, runnableInterventions(off, none))).toBe(true);
    // Turned back on, or the other two swapped, the model differs from the one the result ran with.
    expect(sameInterventionList(ranWith, runnableInterventions(list, none))).toBe(false);
    expect(sameInterventionList(ranWith, runnableInterventions(moveEntry(off, 3, -2), none))).toBe(false);
    // An entry the model refuses is not sent either.
    expect(runnableInterventions(list, (x) => (x.hook === 'h2' ? ['hook "h2" is not a hook of this model'] : []))).toEqual(ranWith);
  });
});
