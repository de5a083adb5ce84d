/**
 * Linear probes (METHODS.md, "Linear probes"). Features: activations at a hook and token
 * position (last token, or mean over tokens) from a labelled prompt set, standardised with
 * training-set statistics. Classifiers: logistic regression (softmax, L2, L-BFGS; deterministic),
 * Gaussian naive Bayes with a shared diagonal variance (+1e-9), and the mean-difference
 * direction. Reported per layer: train/test accuracy and AUC (binary; macro one-vs-rest for
 * multiclass) beside the majority baseline; easy→hard transfer with the supervision gap recovered
 * `(easy − chance) / (hard − chance)`; the probe direction mapped back to raw activation space
 * and decoded through the LM head. Trained probes serialise to versioned, zod-validated JSON.
 *
 * Axis order: features [example, width] (width = the hook's trailing axes flattened, dModel for
 * residual hooks); probe weights [row, width] (1 row for binary — the class-1 logit —, one row per
 * class otherwise); per-layer results in layer order.
 */
import { z } from 'zod';
import type { Model } from '../model/model.ts';
import { seededRandom } from '../model/sampling.ts';
import type { DecodedDirection } from './neurons.ts';
import { decodeDirection } from './neurons.ts';
import type { ProbeDataset, ProbeExample, ProbePosition } from './probe-data.ts';
import { collectFeatures, resolveLayerHooks } from './probe-data.ts';
import type { LinearModel, Matrix, Standardizer } from './probe-fit.ts';
import { accuracy, auc, fitLogistic, fitMeanDifference, fitNaiveBayes, fitStandardizer, majorityRate, predict, probabilities, standardize } from './probe-fit.ts';

export type ProbeMethod = 'logistic' | 'naive_bayes' | 'mean_difference';

export interface ProbeOptions {
  readonly dataset: ProbeDataset;
  /** Hook short name resolved in every layer (`resid_post`, default) or a full hook name. */
  readonly hook?: string;
  /** Restrict to these layers (default: every layer that has the hook). */
  readonly layers?: readonly number[];
  readonly position?: ProbePosition;
  readonly method?: ProbeMethod;
  /** L2 strength λ of logistic regression (default 1e-2 on standardised features). */
  readonly l2?: number;
  /** Test fraction for examples without a `split` (seeded shuffle; default 0.3). */
  readonly testFraction?: number;
  readonly seed?: number;
  /** Tokens at each end when decoding probe directions (residual hooks only; 0 = skip). Default 10. */
  readonly decodeTopK?: number;
  /** Difficulty names for the easy→hard transfer (default "easy"/"hard" when the dataset has both). */
  readonly transfer?: { readonly easy: string; readonly hard: string } | false;
}

export interface LayerProbeResult {
  readonly layer: number;
  readonly hook: string;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly trainAuc: number;
  readonly testAuc: number;
  /** Majority-class rate of the test set (predict the training set's most frequent class). */
  readonly testMajorityBaseline: number;
  readonly probe: TrainedProbe;
  /** One per probe row, of the raw-space direction; null for non-residual hooks or decodeTopK 0. */
  readonly decoded: DecodedDirection[] | null;
}

export interface TransferResult {
  readonly layer: number;
  readonly hook: string;
  /** Accuracy on the hard test examples of a probe trained on the easy examples. */
  readonly easyToHard: number;
  /** Accuracy on the same hard test examples of a probe trained on the hard training examples. */
  readonly hardToHard: number;
  /** Majority-class rate of the hard test examples. */
  readonly chance: number;
  /** (easyToHard − chance) / (hardToHard − chance); NaN when hardToHard equals chance. */
  readonly gapRecovered: number;
}

export interface ProbeResult {
  readonly classes: string[];
  readonly method: ProbeMethod;
  readonly position: ProbePosition;
  readonly nTrain: number;
  readonly nTest: number;
  /** [layer] */
  readonly layers: LayerProbeResult[];
  /** [layer]; null when the dataset has no easy/hard difficulties. */
  readonly transfer: TransferResult[] | null;
}

// --- Serialisation -----------------------------------------------------------------------------

export const PROBE_FORMAT = 'probescope.probe';
export const PROBE_VERSION = 1;

const finite = z.number().finite();
export const TrainedProbeSchema = z
  .object({
    format: z.literal(PROBE_FORMAT),
    version: z.literal(PROBE_VERSION),
    method: z.enum(['logistic', 'naive_bayes', 'mean_difference']),
    hook: z.string().min(1),
    position: z.enum(['last', 'mean']),
    classes: z.array(z.string()).min(2),
    /** [width] training mean and std: x_std = (x − mean) / std. */
    mean: z.array(finite).min(1),
    std: z.array(finite.positive()).min(1),
    /** [row, width] in standardised space. */
    weights: z.array(z.array(finite).min(1)).min(1),
    /** [row] */
    bias: z.array(finite).min(1),
    /** Informational: the model the probe was trained on. */
    model: z.string().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    const width = p.mean.length;
    const rows = p.classes.length === 2 ? 1 : p.classes.length;
    if (p.std.length !== width) issue(`std has ${p.std.length} entries, mean has ${width}`);
    if (p.weights.length !== rows) issue(`weights has ${p.weights.length} rows, expected ${rows} for ${p.classes.length} classes`);
    p.weights.forEach((w, r) => w.length !== width && issue(`weights row ${r} has ${w.length} entries, expected ${width}`));
    if (p.bias.length !== rows) issue(`bias has ${p.bias.length} entries, expected ${rows}`);
  });

export type TrainedProbe = z.infer<typeof TrainedProbeSchema>;

export function probeToJson(probe: TrainedProbe): string {
  return JSON.stringify(TrainedProbeSchema.parse(probe));
}

/** Parses and validates a stored probe (a JSON string or already-parsed data). */
export function probeFromJson(json: string | unknown): TrainedProbe {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json) as unknown;
    } catch (e) {
      throw new Error(`probe JSON does not parse: ${(e as Error).message}`);
    }
  }
  const parsed = TrainedProbeSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`not a probescope probe (format "${PROBE_FORMAT}" version ${PROBE_VERSION}): ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

function toTrained(m: LinearModel, s: Standardizer, meta: Pick<TrainedProbe, 'method' | 'hook' | 'position' | 'classes' | 'model'>): TrainedProbe {
  const { rows, cols, data } = m.weights;
  return {
    format: PROBE_FORMAT,
    version: PROBE_VERSION,
    ...meta,
    mean: Array.from(s.mean),
    std: Array.from(s.std),
    weights: Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols))),
    bias: Array.from(m.bias),
  };
}

function fromTrained(p: TrainedProbe): { model: LinearModel; standardizer: Standardizer } {
  const width = p.mean.length;
  return {
    model: { classes: p.classes.length, weights: { rows: p.weights.length, cols: width, data: Float64Array.from(p.weights.flat()) }, bias: Float64Array.from(p.bias) },
    standardizer: { mean: Float64Array.from(p.mean), std: Float64Array.from(p.std) },
  };
}

/** Class probabilities [example, class] of a trained probe on raw activations [example, width]. */
export function applyProbe(probe: TrainedProbe, activations: Matrix): Matrix {
  const { model, standardizer } = fromTrained(probe);
  if (activations.cols !== probe.mean.length) {
    throw new Error(`probe for ${probe.hook} reads ${probe.mean.length} features, the activations have ${activations.cols}`);
  }
  return probabilities(model, standardize(activations, standardizer));
}

/**
 * The probe's rows as raw-activation directions: score = Σ_j w_j (x_j − μ_j)/σ_j, so the direction
 * in raw space is w_j / σ_j (the offset goes into the bias).
 */
export function rawDirections(probe: TrainedProbe): Float64Array[] {
  return probe.weights.map((w) => Float64Array.from(w, (v, j) => v / probe.std[j]));
}

// --- Training and evaluation -------------------------------------------------------------------

function fit(method: ProbeMethod, x: Matrix, y: number[], classes: number, l2: number | undefined): LinearModel {
  switch (method) {
    case 'logistic':
      return fitLogistic(x, y, classes, { l2 });
    case 'naive_bayes':
      return fitNaiveBayes(x, y, classes);
    case 'mean_difference':
      return fitMeanDifference(x, y, classes);
  }
}

function takeRows(x: Matrix, idx: readonly number[]): Matrix {
  const data = new Float64Array(idx.length * x.cols);
  idx.forEach((i, k) => data.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), k * x.cols));
  return { rows: idx.length, cols: x.cols, data };
}

/** Train/test indices: the examples' own `split`, the rest by a seeded shuffle. */
function splitIndices(examples: readonly ProbeExample[], testFraction: number, seed: number): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  const free: number[] = [];
  examples.forEach((e, i) => (e.split === 'train' ? train : e.split === 'test' ? test : free).push(i));
  const random = seededRandom(seed);
  for (let i = free.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [free[i], free[j]] = [free[j], free[i]];
  }
  const nTest = Math.round(free.length * testFraction);
  test.push(...free.slice(0, nTest));
  train.push(...free.slice(nTest));
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

interface Evaluation {
  readonly model: LinearModel;
  readonly standardizer: Standardizer;
  readonly trainAccuracy: number;
  readonly trainAuc: number;
  readonly testAccuracy: number;
  readonly testAuc: number;
}

function trainAndTest(method: ProbeMethod, x: Matrix, y: number[], classes: number, train: number[], test: number[], l2: number | undefined): Evaluation {
  const rawTrain = takeRows(x, train);
  const standardizer = fitStandardizer(rawTrain);
  const xTrain = standardize(rawTrain, standardizer);
  const xTest = standardize(takeRows(x, test), standardizer);
  const yTrain = train.map((i) => y[i]);
  const yTest = test.map((i) => y[i]);
  const model = fit(method, xTrain, yTrain, classes, l2);
  return {
    model,
    standardizer,
    trainAccuracy: accuracy(predict(model, xTrain), yTrain),
    trainAuc: auc(model, xTrain, yTrain),
    testAccuracy: test.length ? accuracy(predict(model, xTest), yTest) : NaN,
    testAuc: test.length ? auc(model, xTest, yTest) : NaN,
  };
}

/** Trains one probe per layer and evaluates it (see the module comment). */
export async function probe(model: Model, options: ProbeOptions): Promise<ProbeResult> {
  const { examples } = options.dataset;
  const method = options.method ?? 'logistic';
  const position = options.position ?? 'last';
  const hooks = resolveLayerHooks(model, options.hook ?? 'resid_post', options.layers);
  const classes: string[] = [];
  const y = examples.map((e) => {
    const name = String(e.label);
    if (!classes.includes(name)) classes.push(name);
    return classes.indexOf(name);
  });
  if (classes.length < 2) throw new Error(`probe dataset has only the label "${classes[0]}"; a probe needs at least two classes`);
  const { train, test } = splitIndices(examples, options.testFraction ?? 0.3, options.seed ?? 0);
  for (const [what, idx] of [['training', train], ['test', test]] as const) {
    const seen = new Set(idx.map((i) => y[i]));
    if (seen.size < classes.length) {
      const missing = classes.filter((_, k) => !seen.has(k));
      throw new Error(`the ${what} split has no example of class ${missing.map((c) => JSON.stringify(c)).join(', ')}; every class needs examples in both splits`);
    }
  }
  const features = await collectFeatures(model, examples, hooks.map((h) => h.hook), position);
  const residual = new Set(model.hookPoints.filter((p) => p.axes.length === 3 && p.axes[2] === 'dModel').map((p) => p.name));
  const topK = options.decodeTopK ?? 10;

  const layers: LayerProbeResult[] = [];
  for (const { layer, hook } of hooks) {
    const x = features.get(hook)!;
    const e = trainAndTest(method, x, y, classes.length, train, test, options.l2);
    const trainCounts = classes.map((_, k) => train.filter((i) => y[i] === k).length);
    const majority = trainCounts.indexOf(Math.max(...trainCounts));
    const trained = toTrained(e.model, e.standardizer, { method, hook, position, classes, model: model.label });
    const decoded = topK > 0 && residual.has(hook) ? await Promise.all(rawDirections(trained).map((v) => decodeDirection(model, v, { topK }))) : null;
    layers.push({
      layer,
      hook,
      trainAccuracy: e.trainAccuracy,
      testAccuracy: e.testAccuracy,
      trainAuc: e.trainAuc,
      testAuc: e.testAuc,
      testMajorityBaseline: test.filter((i) => y[i] === majority).length / test.length,
      probe: trained,
      decoded,
    });
  }

  return { classes, method, position, nTrain: train.length, nTest: test.length, layers, transfer: transferResults(options, examples, features, hooks, y, classes.length, train, test, method) };
}

/**
 * Easy→hard transfer: a probe trained on the easy training examples and one trained on the hard
 * training examples, both tested on the hard test examples. Chance is the hard test set's
 * majority-class rate (the accuracy of always guessing its most common label).
 */
function transferResults(
  options: ProbeOptions,
  examples: readonly ProbeExample[],
  features: Map<string, Matrix>,
  hooks: readonly { layer: number; hook: string }[],
  y: number[],
  classes: number,
  train: number[],
  test: number[],
  method: ProbeMethod,
): TransferResult[] | null {
  if (options.transfer === false) return null;
  const names = options.transfer ?? { easy: 'easy', hard: 'hard' };
  const is = (i: number, d: string) => examples[i].difficulty === d;
  const easyTrain = train.filter((i) => is(i, names.easy));
  const hardTrain = train.filter((i) => is(i, names.hard));
  const hardTest = test.filter((i) => is(i, names.hard));
  const complete = (idx: number[]) => new Set(idx.map((i) => y[i])).size === classes;
  if (!complete(easyTrain) || !complete(hardTrain) || !complete(hardTest)) {
    if (options.transfer) throw new Error(`transfer needs every class among the "${names.easy}" training, "${names.hard}" training and "${names.hard}" test examples`);
    return null;
  }
  const chance = majorityRate(hardTest.map((i) => y[i]), classes);
  return hooks.map(({ layer, hook }) => {
    const x = features.get(hook)!;
    const easyToHard = trainAndTest(method, x, y, classes, easyTrain, hardTest, options.l2).testAccuracy;
    const hardToHard = trainAndTest(method, x, y, classes, hardTrain, hardTest, options.l2).testAccuracy;
    return { layer, hook, easyToHard, hardToHard, chance, gapRecovered: hardToHard === chance ? NaN : (easyToHard - chance) / (hardToHard - chance) };
  });
}
