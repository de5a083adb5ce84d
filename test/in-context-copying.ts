/** Helpers for tests of in-context copying: repeated distinct random tokens, loss and accuracy. */
import type { Intervention } from '../analysis/hooks/interventions.ts';
import type { Model } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { seededRandom } from '../analysis/model/sampling.ts';

/** n distinct random tokens r, repeated: [r, r] (distinct, so every repeat has one right answer). */
export function distinctRepeat(dVocab: number, n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const pool = Array.from({ length: dVocab }, (_, i) => i);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const r = pool.slice(0, n);
  return [...r, ...r];
}

/** Mean next-token loss and top-1 accuracy over predictions of positions [from, to). */
export async function copying(model: Model, ids: number[], from: number, to: number, interventions: Intervention[] = []) {
  const out = await run(model, { ids }, { interventions });
  const V = model.spec.dVocab;
  const logits = out.logits!.data;
  let loss = 0;
  let correct = 0;
  for (let t = from - 1; t < to - 1; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    let best = 0;
    for (let i = 1; i < V; i++) if (row[i] > row[best]) best = i;
    let sum = 0;
    for (let i = 0; i < V; i++) sum += Math.exp(row[i] - row[best]);
    loss += row[best] + Math.log(sum) - row[ids[t + 1]];
    if (best === ids[t + 1]) correct++;
  }
  return { loss: loss / (to - from), accuracy: correct / (to - from) };
}
