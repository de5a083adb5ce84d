/**
 * Every example notebook runs headless on the CPU backend, and its key numbers are asserted
 * against the methods themselves and against what the notebook's own text claims — so an
 * example can never silently rot when a method or the model changes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headScores } from '../../analysis/methods/head-scores.ts';
import { run } from '../../analysis/model/run.ts';
import type { Backend } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { createWasmBackend } from '../../gpu/wasm/index.ts';
import { MemoryCache } from '../cache.ts';
import type { Json } from '../../analysis/json.ts';
import { nodeModelHost } from '../node/model-host.ts';
import type { CellOutput, NotebookRun } from '../runner.ts';
import { runNotebook } from '../runner.ts';
import { parseNotebookText } from '../validate.ts';

const DIR = dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.probescope-notebook.json';
const TESTED = ['logit-lens', 'induction-heads', 'activation-patching', 'obsprop', 'retrieval-heads', 'linear-probe', 'attribution-graph'];

async function runExample(name: string, backend: Backend = createCpuBackend()): Promise<{ run: NotebookRun; result: (id: string) => Json; host: ReturnType<typeof nodeModelHost> }> {
  const plan = parseNotebookText(readFileSync(join(DIR, `${name}${SUFFIX}`), 'utf8'));
  const host = nodeModelHost(backend, DIR);
  const done = await runNotebook(plan, { models: host, cache: new MemoryCache(), backend: 'cpu' });
  const result = (id: string) => {
    const out = done.outputs.find((o): o is Extract<CellOutput, { kind: 'analysis' }> => o.kind === 'analysis' && o.id === id);
    if (!out) throw new Error(`no step ${id}`);
    return out.result;
  };
  expect(done.outputs.filter((o) => o.kind === 'figure').length).toBeGreaterThan(0);
  return { run: done, result, host };
}

/** Typed access to a result's fields (the results are JSON). */
function field<T>(value: Json, ...path: (string | number)[]): T {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value) as T;
}

describe('example notebooks', () => {
  it('every example in notebooks/examples has a test here', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(SUFFIX)).map((f) => f.slice(0, -SUFFIX.length));
    expect(files.sort()).toEqual([...TESTED].sort());
  });

  it('logit-lens: the final row is the model output; early rows decode the current token (README finding)', async () => {
    const { result, host } = await runExample('logit-lens');
    const lens = result('lens');
    const ids = field<number[]>(lens, 'ids');
    const top = field<{ id: number; token: string }[][][]>(lens, 'top');
    expect(ids).toHaveLength(23);
    expect(field<string[]>(lens, 'layers')).toEqual(['L0 resid_pre', 'L1 resid_pre', 'L2 resid_pre', 'L3 resid_pre', 'L4 resid_pre', 'final']);
    const model = await host.open('builtin:stories260K', new AbortController().signal);
    const logits = (await run(model, { ids }, { logits: 'all' })).logits!.data;
    const V = model.spec.dVocab;
    ids.forEach((_, p) => {
      const row = logits.subarray(p * V, (p + 1) * V);
      expect(top[5][p][0].id).toBe(row.indexOf(Math.max(...row)));
    });
    // README "Methods": before blocks 0, 1 and 2 the residual decodes to the current token at 23, 22 and 20 of 23 positions.
    const current = [0, 1, 2].map((e) => ids.filter((id, p) => top[e][p][0].id === id).length);
    expect(current).toEqual([23, 22, 20]);
    // Cell text: " she" is the runner-up at the last position before blocks 0–2; the output is " to".
    const she = field<{ token: string; rank: number[][] }[]>(lens, 'targets')[0];
    expect(she.token).toBe(' she');
    expect(she.rank.map((r) => r[22])).toEqual([1, 1, 1, 11, 29, 49]);
    expect(top[5][22][0].token).toBe(' to');
  });

  it('induction-heads: the heads headScores finds, as the README names them: L3H6 and L1H3 previous-token heads, no induction head (best L2H6)', async () => {
    const { result, host } = await runExample('induction-heads');
    const heads = result('heads');
    const model = await host.open('builtin:stories260K', new AbortController().signal);
    const direct = await headScores(model, { n: 50, batch: 10, seed: 0 });
    const best = (g: number[][]) => g.flatMap((row, layer) => row.map((score, head) => ({ layer, head, score }))).sort((a, b) => b.score - a.score)[0];
    const top = field<Record<string, { layer: number; head: number; score: number }[]>>(heads, 'top');
    expect(top.induction[0]).toEqual(best(direct.induction));
    expect(top.previousToken[0]).toEqual(best(direct.previousToken));
    expect(field<number[][]>(heads, 'induction')).toEqual(direct.induction);
    expect(top.previousToken.slice(0, 2).map((h) => `L${h.layer}H${h.head}`)).toEqual(['L3H6', 'L1H3']);
    // README "Findings on stories260K": L3H6 0.87, L1H3 0.83; largest induction score 0.014 (L2H6).
    expect(top.previousToken[0].score).toBeCloseTo(0.87, 2);
    expect(top.previousToken[1].score).toBeCloseTo(0.83, 2);
    expect(top.induction[0]).toMatchObject({ layer: 2, head: 6 });
    expect(top.induction[0].score).toBeCloseTo(0.014, 3);
    expect(field<unknown>(heads, 'successor')).toBeNull();
  });

  it('activation-patching: the name moves from its position to the last one in block 2, through L2H6', async () => {
    const { result } = await runExample('activation-patching');
    const resid = result('residPatch');
    const [L, P] = field<number[]>(resid, 'shape');
    const norm = (l: number, p: number) => field<number[]>(resid, 'normalized')[l * P + p];
    expect([L, P]).toEqual([5, 18]);
    expect(field<number>(resid, 'cleanMetric')).toBeCloseTo(7.424, 2);
    expect(field<number>(resid, 'corruptedMetric')).toBeCloseTo(0.841, 2);
    expect(field<string[]>(resid, 'cleanTokens')[13]).toBe(' Lily');
    expect(field<string[]>(resid, 'corruptedTokens')[13]).toBe(' Tim');
    // Patching the only differing position before block 0 restores the clean run exactly.
    expect(norm(0, 13)).toBeCloseTo(1, 6);
    for (let p = 0; p < P; p++) if (p !== 13) expect(norm(0, p)).toBe(0);
    expect(norm(2, 13)).toBeGreaterThan(0.9);
    expect(norm(3, 13)).toBeLessThan(0.3);
    expect(norm(3, 17)).toBeGreaterThan(0.7);
    const heads = result('headPatch');
    const z = field<number[]>(heads, 'normalized');
    expect(field<number[]>(heads, 'shape')).toEqual([5, 8]);
    const order = z.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v);
    expect(order[0].i).toBe(2 * 8 + 6);
    expect(order[0].v).toBeGreaterThan(0.7);
    expect(order[1].v).toBeLessThan(0.3);
  });

  it('obsprop: L4H0 and L4H2 have the largest " he" − " she" features; their coupling agrees with their norms', async () => {
    const { result } = await runExample('obsprop');
    type Ranked = { head: string; norm: number; effect: number; promotes: string[]; suppresses: string[] };
    for (const id of ['tom', 'lily']) {
      const r = result(id);
      const ranking = field<Ranked[]>(r, 'ranking');
      expect(ranking.map((h) => h.head).slice(0, 3)).toEqual(['L4H0', 'L4H2', 'L2H6']);
      expect(ranking[0].norm).toBeCloseTo(2.3, 1);
      expect(ranking[1].norm).toBeCloseTo(1.9, 1);
      expect(ranking[0].promotes.slice(0, 3)).toEqual([' his', 'd', ' He']);
      expect(ranking[0].suppresses.slice(0, 2)).toEqual(['ily', ' Lily']);
      const norms = field<number[][]>(r, 'norms');
      expect(norms[4][0]).toBe(ranking[0].norm);
      // C(a, b)·‖a‖² = a·b = C(b, a)·‖b‖²; C(a, a) = 1.
      const coupling = field<{ heads: string[]; values: number[][] }>(r, 'coupling');
      expect(coupling.heads.slice(0, 2)).toEqual(['L4H0', 'L4H2']);
      expect(coupling.values[0][0]).toBeCloseTo(1, 12);
      expect(coupling.values[0][1]).toBeCloseTo(0.43, 2);
      expect(coupling.values[0][1] * ranking[0].norm ** 2).toBeCloseTo(coupling.values[1][0] * ranking[1].norm ** 2, 9);
    }
    const tom = field<Ranked[]>(result('tom'), 'ranking');
    const strongest = [...tom].sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))[0];
    expect(strongest.head).toBe('L4H2');
    expect(strongest.effect).toBeCloseTo(-3.7, 1);
    const lily = result('lily');
    expect(field<number>(lily, 'value')).toBeCloseTo(-6.2, 1);
    const effects = field<number[][]>(lily, 'effects');
    expect(effects[4][0]).toBeCloseTo(1.96, 2);
    expect(effects[4][2]).toBeCloseTo(1.87, 2);
  });

  it('retrieval-heads: one of 18 samples recovers its needle; L4H0 and L4H1 score 1/3 on it; masking them is no worse than random', async () => {
    const { result } = await runExample('retrieval-heads');
    const niah = result('niah');
    type Sample = { answer: string; contextLength: number; depth: number; counted: boolean };
    const samples = field<Sample[]>(niah, 'samples');
    expect(samples).toHaveLength(18);
    expect(samples.filter((s) => s.counted).map((s) => [s.answer, s.contextLength, s.depth])).toEqual([['Max', 256, 50]]);
    expect(field<number>(niah, 'recall')).toBeCloseTo(2 / 18, 10);
    expect(field<unknown>(niah, 'retrievalHeads')).toEqual([
      { layer: 4, head: 0, score: 1 / 3 },
      { layer: 4, head: 1, score: 1 / 3 },
    ]);
    const masking = field<{ heads: string[]; baseline: number; top: number; random: number[] }>(result('masking'), 'masking');
    expect(masking.heads).toEqual(['L4H0', 'L4H1']);
    expect(masking.baseline).toBeCloseTo(4 / 9, 10);
    expect(masking.top).toBeCloseTo(1 / 9, 10);
    expect(Math.min(...masking.random)).toBeLessThanOrEqual(masking.top);
  });

  it('linear-probe: the subject\'s gender is readable at the last token only after the last block (README table)', async () => {
    const { result } = await runExample('linear-probe');
    const probe = result('probe');
    type Layer = { layer: number; testAccuracy: number; testMajorityBaseline: number; decodedTop: string[] };
    const layers = field<Layer[]>(probe, 'layers');
    expect([field<number>(probe, 'nTrain'), field<number>(probe, 'nTest')]).toEqual([40, 56]);
    expect(layers.map((l) => Number(l.testAccuracy.toFixed(2)))).toEqual([0.5, 0.64, 0.66, 0.71, 1]);
    for (const l of layers) expect(l.testMajorityBaseline).toBe(0.5);
    expect(layers[4].decodedTop.slice(0, 2)).toEqual([' his', ' He']);
    const transfer = field<{ layer: number; easyToHard: number; hardToHard: number; gapRecovered: number }[]>(probe, 'transfer');
    expect(transfer[4].easyToHard).toBeCloseTo(0.93, 2);
    expect(transfer[4].hardToHard).toBe(1);
    expect(transfer[4].gapRecovered).toBeCloseTo(0.86, 2);
  });

  it('attribution-graph: exact linearity on every prompt, logit nodes are the model’s own top tokens, README scores', async () => {
    // Three graphs of ~1,300 nodes: the fast CPU backend keeps this test short.
    const { result, host } = await runExample('attribution-graph', await createWasmBackend());
    const model = await host.open('builtin:stories260K', new AbortController().signal);
    const scores: [number, number][] = [];
    for (const id of ['lily', 'tom', 'park']) {
      const g = result(id);
      expect(field<number>(g, 'maxIdentityError')).toBeLessThan(1e-4);
      const ids = field<{ node_id: string; feature_type: string }[]>(g, 'graph', 'nodes').filter((n) => n.feature_type === 'embedding').map((n) => Number(n.node_id.split('_')[1]));
      const logits = (await run(model, { ids }, { logits: 'last' })).logits!.data;
      const top = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
      const nodes = field<{ id: number }[]>(g, 'logits').map((l) => l.id);
      expect(nodes).toEqual(top.slice(0, nodes.length));
      scores.push([field<number>(g, 'replacementScore'), field<number>(g, 'completenessScore')]);
    }
    // README "Attribution graphs": replacement / completeness on the three prompts.
    expect(scores.map(([r, c]) => [r.toFixed(2), c.toFixed(2)])).toEqual([
      ['0.94', '0.98'],
      ['0.85', '0.96'],
      ['0.79', '0.94'],
    ]);
  }, 300_000);
});
