/**
 * Step "probe" → analysis/methods/probe.ts: a linear probe per layer on a labelled dataset;
 * train/test accuracy and AUC beside the majority baseline, easy→hard transfer, and the probe
 * direction decoded through the LM head. The trained probes are kept in the result (small, and
 * what a project stores).
 */
import { z } from 'zod';
import { probe } from '../methods/probe.ts';
import { rangeLabels } from './views.ts';
import { num } from './common.ts';
import { defineMethod } from './define.ts';
import type { Json } from '../json.ts';
import { toJson } from '../json.ts';

const Params = z.strictObject({
  hook: z.string().min(1).max(100).default('resid_post').describe('Hook short name resolved in every layer (resid_post, resid_pre, attn_out, mlp_out, …) or a full name.'),
  layers: z.array(z.number().int().nonnegative()).min(1).max(1024).optional(),
  position: z.enum(['last', 'mean']).default('last'),
  method: z.enum(['logistic', 'naive_bayes', 'mean_difference']).default('logistic'),
  l2: z.number().nonnegative().optional(),
  testFraction: z.number().gt(0).lt(1).default(0.3),
  seed: z.number().int().min(0).default(0),
  decodeTopK: z.number().int().min(0).max(50).default(5),
  transfer: z.union([z.literal(false), z.strictObject({ easy: z.string().min(1), hard: z.string().min(1) })]).optional(),
});

type N = number | null;
type LayerJson = { layer: number; hook: string; trainAccuracy: N; testAccuracy: N; trainAuc: N; testAuc: N; testMajorityBaseline: N; decodedTop: string[] | null };
type ProbeJson = {
  classes: string[];
  method: string;
  position: string;
  nTrain: number;
  nTest: number;
  layers: LayerJson[];
  transfer: { layer: number; easyToHard: N; hardToHard: N; chance: N; gapRecovered: N }[] | null;
  /** The trained probes (analysis/methods/probe.ts TrainedProbe JSON), one per layer. */
  probes: Json[];
};

export const probeStep = defineMethod({
  method: 'probe',
  title: 'Linear probe',
  description: 'Train a linear probe per layer; accuracy, AUC, easy→hard transfer, decoded direction.',
  version: 1,
  params: Params,
  input: 'dataset',
  cli: { flagAliases: { 'top-k': 'decode-top-k' }, save: { field: 'probes', what: 'the trained probes (one per layer) as a JSON array' } },
  views: { accuracy: 'series', auc: 'series', transfer: 'series', decoded: 'table' },
  defaultFigure: { view: 'accuracy', type: 'line' },
  async run(model, p, ctx): Promise<ProbeJson> {
    if (!ctx.dataset) throw new Error('the probe step needs a dataset cell');
    const r = await probe(model, { ...p, dataset: ctx.dataset });
    return {
      classes: r.classes,
      method: r.method,
      position: r.position,
      nTrain: r.nTrain,
      nTest: r.nTest,
      layers: r.layers.map((l) => ({
        layer: l.layer,
        hook: l.hook,
        trainAccuracy: num(l.trainAccuracy),
        testAccuracy: num(l.testAccuracy),
        trainAuc: num(l.trainAuc),
        testAuc: num(l.testAuc),
        testMajorityBaseline: num(l.testMajorityBaseline),
        decodedTop: l.decoded ? l.decoded[0].top.map((t) => t.token ?? String(t.id)) : null,
      })),
      transfer: r.transfer?.map((t) => ({ layer: t.layer, easyToHard: num(t.easyToHard), hardToHard: num(t.hardToHard), chance: num(t.chance), gapRecovered: num(t.gapRecovered) })) ?? null,
      probes: r.layers.map((l) => toJson(l.probe)),
    };
  },
  view(r, name) {
    const x = { title: 'layer', labels: r.layers.map((l) => (l.layer < 0 ? l.hook : `L${l.layer}`)) };
    const what = `${r.method} probe (${r.classes.join(' vs ')}, ${r.position} token)`;
    if (name === 'accuracy') {
      return {
        kind: 'series',
        title: `Accuracy of a ${what}`,
        x,
        yTitle: 'accuracy',
        traces: [
          { name: 'train', values: r.layers.map((l) => l.trainAccuracy) },
          { name: 'test', values: r.layers.map((l) => l.testAccuracy) },
          { name: 'majority baseline', values: r.layers.map((l) => l.testMajorityBaseline) },
        ],
      };
    }
    if (name === 'auc') {
      return { kind: 'series', title: `AUC of a ${what}`, x, yTitle: 'AUC', traces: [{ name: 'train', values: r.layers.map((l) => l.trainAuc) }, { name: 'test', values: r.layers.map((l) => l.testAuc) }] };
    }
    if (name === 'transfer') {
      const t = r.transfer ?? [];
      return {
        kind: 'series',
        title: t.length ? `Easy→hard transfer of a ${what}` : 'Easy→hard transfer (the dataset has no easy/hard split)',
        x: t.length ? { title: 'layer', labels: t.map((e) => `L${e.layer}`) } : { title: 'layer', labels: rangeLabels(0) },
        yTitle: 'accuracy on hard test examples',
        traces: [
          { name: 'trained on easy', values: t.map((e) => e.easyToHard) },
          { name: 'trained on hard', values: t.map((e) => e.hardToHard) },
          { name: 'chance', values: t.map((e) => e.chance) },
        ],
      };
    }
    return {
      kind: 'table',
      title: `Probe direction (class "${r.classes[1]}") through the LM head`,
      columns: ['layer', 'top tokens'],
      rows: r.layers.map((l) => [x.labels[r.layers.indexOf(l)], l.decodedTop ? l.decodedTop.map((t) => JSON.stringify(t)).join(' ') : '(not a residual hook)']),
    };
  },
});
