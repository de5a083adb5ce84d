/**
 * Activation-patching bench (issue 4): the cost of a full resid_pre [layer × pos] sweep relative
 * to naive re-running, i.e. time(sweep) / (layers × positions × time(one forward)), on a
 * GPT-2-small-shaped random model (12 layers, d 768, 12 heads, vocab 50257) on the CPU backend.
 * Naive re-running (TransformerLens) is 1.0 by construction; the target is ≤ 0.5.
 *
 * Times are process CPU time (single-threaded JavaScript), so other work on a shared machine does
 * not distort the ratio; wall-clock times are reported beside them. Two cells are re-run naively
 * to show the numbers are the same. Run alone with `npx tsx bench/patching.ts`.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { activationPatching } from '../analysis/methods/patching.ts';
import { hook } from '../analysis/hooks/points.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { randomWeights, smallSpec } from '../analysis/model/random.ts';
import { run } from '../analysis/model/run.ts';
import { seededRandom } from '../analysis/model/sampling.ts';

export interface PatchingBenchOptions {
  /** Sequence length (default 12: keeps the bench near 1.5 CPU-minutes on a 2-core machine). */
  readonly positions?: number;
  readonly layers?: number;
  readonly vocab?: number;
}

/** Process CPU time and wall time of `f`, in seconds. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; cpu: number; wall: number }> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const value = await f();
  const cpu = process.cpuUsage(cpu0);
  return { value, cpu: (cpu.user + cpu.system) / 1e6, wall: (performance.now() - wall0) / 1000 };
}

export async function benchPatching(options: PatchingBenchOptions = {}): Promise<Record<string, number | string>> {
  const S = options.positions ?? 12;
  const spec = smallSpec('gpt2', {
    nLayers: options.layers ?? 12, dModel: 768, nHeads: 12, nKvHeads: 12, dHead: 64, dMlp: 3072, dVocab: options.vocab ?? 50257, nCtx: 1024,
  });
  const L = spec.nLayers;
  const made = await timed(async () => randomWeights(spec, 1, 0.02));
  const model = modelOnBackend({ label: 'gpt2-small-shaped', spec, weights: made.value, tokenizer: null }, createCpuBackend());
  const random = seededRandom(2);
  const clean = Array.from({ length: S }, () => Math.floor(random() * spec.dVocab));
  const corrupt = [...clean];
  corrupt[1] = (clean[1] + 1) % spec.dVocab;
  const metric = { answer: 11, wrong: 13 };

  await run(model, { ids: clean }, { logits: 'last' }); // warm-up (JIT)
  const forwards = 3;
  const forward = await timed(async () => {
    for (let i = 0; i < forwards; i++) await run(model, { ids: corrupt }, { logits: 'last' });
  });
  const oneCpu = forward.cpu / forwards;
  const oneWall = forward.wall / forwards;

  const sweep = await timed(() => activationPatching(model, { clean, corruption: { kind: 'tokens', ids: corrupt }, hook: 'resid_pre', metric }));
  const r = sweep.value;

  // Naive re-runs of two cells: the reused numbers must be the same.
  const cleanCache = (await run(model, { ids: clean }, { capture: [hook.residPre(0), hook.residPre(L - 1)], logits: 'last' })).cache;
  let worst = 0;
  for (const [layer, pos] of [[0, 1], [L - 1, S - 1]]) {
    const patched = await run(model, { ids: corrupt }, {
      interventions: [{ hook: hook.residPre(layer), op: 'replace', source: 'clean', pos }],
      caches: { clean: cleanCache },
      logits: 'last',
    });
    const logits = patched.logits!.data;
    worst = Math.max(worst, Math.abs(logits[metric.answer] - logits[metric.wrong] - r.metric[layer * S + pos]));
  }

  const cells = L * S;
  return {
    model: `GPT-2-small shape: ${L} layers, d 768, 12 heads, d_mlp 3072, vocab ${spec.dVocab}, random N(0, 0.02²), CPU backend`,
    'sequence length (positions)': S,
    'weight generation (s)': +made.wall.toFixed(1),
    'one forward, CPU s': +oneCpu.toFixed(3),
    [`resid_pre sweep [${L} × ${S}], CPU s`]: +sweep.cpu.toFixed(2),
    'sweep / (layers × positions × forward), CPU time': +(sweep.cpu / (cells * oneCpu)).toFixed(3),
    'sweep / (layers × positions × forward), wall clock': +(sweep.wall / (cells * oneWall)).toFixed(3),
    'ideal for skipping unchanged work, (L+1)(S+1)/(4LS)': +(((L + 1) * (S + 1)) / (4 * L * S)).toFixed(3),
    'patched forward calls (batched)': r.patchedCalls,
    'max |reused − naive| on 2 re-run cells': worst,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchPatching();
  for (const [k, v] of Object.entries(result)) console.log(`  ${k.padEnd(56)} ${v}`);
}
