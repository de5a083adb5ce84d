/**
 * Probe datasets: (prompt, label, optional difficulty, optional split) examples, validated with
 * zod so a dataset file from a user fails with the field that is wrong; turning a dataset into
 * activation features at chosen hooks and a token position; and one documented built-in dataset
 * for stories260K (the story subject's gender).
 */
import { z } from 'zod';
import type { Model } from '../model/model.ts';
import { run, tokenize } from '../model/run.ts';
import type { Matrix } from './probe-fit.ts';

const ExampleSchema = z
  .object({
    /** Text, tokenized with the model's tokenizer and its default BOS rule. */
    prompt: z.string().min(1).optional(),
    /** Token ids instead of text (for models without a tokenizer). */
    ids: z.array(z.number().int().nonnegative()).nonempty().optional(),
    label: z.union([z.string().min(1), z.number()]),
    /** e.g. "easy" / "hard", for easy→hard transfer. */
    difficulty: z.string().min(1).optional(),
    /** Fixed split (held-out templates or names); omitted: a seeded random split. */
    split: z.enum(['train', 'test']).optional(),
  })
  .strict()
  .refine((e) => (e.prompt === undefined) !== (e.ids === undefined), { message: 'give exactly one of "prompt" or "ids"' });

export const ProbeDatasetSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    examples: z.array(ExampleSchema).min(2),
  })
  .strict();

export type ProbeExample = z.infer<typeof ExampleSchema>;
export type ProbeDataset = z.infer<typeof ProbeDatasetSchema>;

/** Validates a parsed dataset file; the error names the first offending field. */
export function parseProbeDataset(data: unknown, where = 'dataset'): ProbeDataset {
  const parsed = ProbeDatasetSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${where}: invalid at ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

/** Where on the sequence a probe reads: the last token, or the mean over all real tokens (BOS included). */
export type ProbePosition = 'last' | 'mean';

export interface LayerHook {
  /** -1 for hooks outside the blocks. */
  readonly layer: number;
  readonly hook: string;
}

/**
 * The hooks a probe reads. `hook` is a full hook name (`blocks.3.hook_resid_post`) or a short name
 * resolved in every layer: `resid_post` → `blocks.{l}.hook_resid_post`, also `attn.hook_z`-style
 * suffixes (`z`, `mlp.hook_post`, `mlp_out`, `ln2.hook_normalized`). Only hooks with axes
 * [batch, pos, ...] can be probed.
 */
export function resolveLayerHooks(model: Model, hook: string, layers?: readonly number[]): LayerHook[] {
  const points = new Map(model.hookPoints.map((p) => [p.name, p]));
  let found: LayerHook[];
  const exact = points.get(hook);
  if (exact) {
    found = [{ layer: exact.layer, hook }];
  } else {
    const short = hook.replace(/^hook_/, '');
    const candidates = (l: number) => [`blocks.${l}.hook_${short}`, `blocks.${l}.${hook}`, `blocks.${l}.attn.hook_${short}`, `blocks.${l}.mlp.hook_${short}`];
    found = [];
    for (let l = 0; l < model.spec.nLayers; l++) {
      const name = candidates(l).find((n) => points.has(n));
      if (name) found.push({ layer: l, hook: name });
    }
    if (found.length === 0) {
      throw new Error(`probe hook "${hook}" names no hook point of ${model.label} (try resid_post, resid_pre, attn_out, mlp_out, or a full name such as blocks.0.hook_resid_post)`);
    }
  }
  if (layers) {
    found = found.filter((h) => layers.includes(h.layer));
    if (found.length === 0) throw new Error(`probe hook "${hook}": none of layers ${layers.join(', ')} has it`);
  }
  for (const { hook: name } of found) {
    const axes = points.get(name)!.axes;
    if (axes[0] !== 'batch' || axes[1] !== 'pos') throw new Error(`probe hook ${name} has axes [${axes.join(', ')}]; probes need [batch, pos, ...]`);
  }
  return found;
}

/**
 * Activations of every example at each hook: one row per example, the hook's trailing axes
 * flattened ([example, width]). Prompts run in left-padded batches, so the last real token of
 * every row is the last column; `mean` averages only real (unpadded) tokens.
 */
export async function collectFeatures(
  model: Model,
  examples: readonly ProbeExample[],
  hooks: readonly string[],
  position: ProbePosition,
  batchSize = 16,
): Promise<Map<string, Matrix>> {
  const rows = examples.map((e, i) => {
    try {
      return tokenize(model, e.ids ? { ids: e.ids } : { text: e.prompt! })[0];
    } catch (err) {
      throw new Error(`example ${i}: ${(err as Error).message}`);
    }
  });
  const out = new Map<string, { width: number; data: Float64Array }>();
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    const r = await run(model, { ids: chunk }, { capture: [...hooks], logits: 'none' });
    for (const name of hooks) {
      const act = r.cache[name];
      const [batch, pos] = act.shape;
      const width = act.data.length / (batch * pos);
      let entry = out.get(name);
      if (!entry) {
        entry = { width, data: new Float64Array(rows.length * width) };
        out.set(name, entry);
      }
      for (let b = 0; b < batch; b++) {
        const dst = entry.data.subarray((start + b) * width, (start + b + 1) * width);
        const first = position === 'last' ? pos - 1 : r.padding[b];
        for (let p = first; p < pos; p++) {
          const src = act.data.subarray((b * pos + p) * width, (b * pos + p + 1) * width);
          for (let j = 0; j < width; j++) dst[j] += src[j];
        }
        const n = pos - first;
        if (n > 1) for (let j = 0; j < width; j++) dst[j] /= n;
      }
    }
  }
  return new Map([...out].map(([name, e]) => [name, { rows: rows.length, cols: e.width, data: e.data }]));
}

// --- Built-in dataset: the story subject's gender (stories260K) ------------------------------

const GIRLS = ['Lily', 'Sue', 'Mia', 'Anna', 'Lucy', 'Amy', 'Sara', 'Jane'];
const BOYS = ['Tom', 'Ben', 'Tim', 'Max', 'Jack', 'Bob', 'Mark', 'Jake'];
/** Names seen only in the test split. */
const HELD_OUT_NAMES = new Set(['Sara', 'Jane', 'Amy', 'Mark', 'Jake', 'Bob']);

interface Template {
  readonly text: (name: string, noun: 'girl' | 'boy') => string;
  /** easy: the text says "girl"/"boy"; hard: only the name carries the gender. */
  readonly difficulty: 'easy' | 'hard';
  readonly heldOut: boolean;
}

const TEMPLATES: readonly Template[] = [
  { text: (n, g) => `Once upon a time, there was a little ${g} named ${n}. One day,`, difficulty: 'easy', heldOut: false },
  { text: (n, g) => `${n} was a happy little ${g}. Every morning,`, difficulty: 'easy', heldOut: false },
  { text: (n) => `Once upon a time, there was a kid named ${n}. One day,`, difficulty: 'hard', heldOut: false },
  { text: (n) => `${n} went to the park. At the park,`, difficulty: 'hard', heldOut: false },
  { text: (n, g) => `There was a ${g} called ${n} who loved to play. After lunch,`, difficulty: 'easy', heldOut: true },
  { text: (n) => `${n} had a red ball and a big dog. Then`, difficulty: 'hard', heldOut: true },
];

/**
 * "Is the story's subject a girl or a boy?" — 96 TinyStories-style prompts (6 templates × 16
 * names). The prompts never end on the name or on "girl"/"boy": the probe reads the last token
 * of a later, gender-neutral phrase, where the model must still carry the subject's gender to
 * choose " she" or " he" next. Test split = every prompt with a held-out template or a held-out
 * name (56 prompts); train = the rest (40). Difficulty "easy" when the text says "girl"/"boy",
 * "hard" when only the name does.
 */
export function subjectGenderDataset(): ProbeDataset {
  const examples: ProbeExample[] = [];
  for (const t of TEMPLATES) {
    for (const [names, label] of [[GIRLS, 'girl'], [BOYS, 'boy']] as const) {
      for (const name of names) {
        examples.push({
          prompt: t.text(name, label),
          label,
          difficulty: t.difficulty,
          split: t.heldOut || HELD_OUT_NAMES.has(name) ? 'test' : 'train',
        });
      }
    }
  }
  return {
    name: 'subject-gender',
    description: "The story subject's gender (girl/boy), read at the last token of a later gender-neutral phrase; held-out templates and names form the test split.",
    examples,
  };
}
