/**
 * The logit lens method's layer × position maps: with nextToken, each cell's rank and probability
 * of the next input token equal what tracking that token as a fixed target gives at that cell;
 * the maps label cells with the top-1 token and hover with the top tokens.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { builtinModelFolder } from '../model/builtin.ts';
import { loadHostModel } from '../model/load.ts';
import { modelOnBackend } from '../model/model.ts';
import type { GridView } from './views.ts';
import { METHODS } from './registry.ts';

type Lens = { ids: number[]; layers: string[]; targets: { rank: number[][]; prob: number[][] }[]; next: { rank: (number | null)[][]; prob: (number | null)[][] } | null };

const ctx = { prompts: { cell: 'p', items: [{ text: 'Lily and Tim played. Lily gave' }] }, dataset: null, signal: new AbortController().signal, onProgress() {} };

describe('logit-lens maps', () => {
  it('rank-map and prob-map of the next input token agree with the token tracked as a target', async () => {
    const host = await loadHostModel(new NodeFolderSource(builtinModelFolder('builtin:stories260K')));
    const model = modelOnBackend({ ...host, label: 'builtin:stories260K' }, createCpuBackend());
    const lens = METHODS.get('logit-lens')!;
    const r = (await lens.run(model, { nextToken: true }, ctx)) as unknown as Lens;
    const S = r.ids.length;
    for (const p of [0, 3, S - 2]) {
      const fixed = (await lens.run(model, { positions: [p], targets: [r.ids[p + 1]] }, ctx)) as unknown as Lens;
      r.layers.forEach((_, e) => {
        expect(r.next!.rank[e][p]).toBe(fixed.targets[0].rank[e][0]);
        expect(r.next!.prob[e][p]).toBe(fixed.targets[0].prob[e][0]);
      });
    }
    r.layers.forEach((_, e) => expect(r.next!.rank[e][S - 1]).toBeNull());
    const rank = lens.view(r as never, 'rank-map') as GridView;
    expect(rank.z[1][3]).toBeCloseTo(Math.log10(r.next!.rank[1][3]! + 1), 12);
    expect(rank.hover![1][3]).toContain(`tracked: rank ${r.next!.rank[1][3]}`);
    const prob = lens.view(r as never, 'prob-map') as GridView;
    expect(prob.z).toEqual(r.next!.prob);
    expect(prob.range).toEqual([0, 1]);
    expect(prob.text).toEqual((lens.view(r as never, 'top1') as GridView).text);
    // Without nextToken the maps follow the first target; without either they are empty.
    const plain = (await lens.run(model, { targets: [' she'] }, ctx)) as unknown as Lens;
    expect((lens.view(plain as never, 'prob-map') as GridView).z).toEqual(plain.targets[0].prob);
    const none = (await lens.run(model, {}, ctx)) as unknown as Lens;
    expect((lens.view(none as never, 'rank-map') as GridView).title).toContain('no target');
  });
});
