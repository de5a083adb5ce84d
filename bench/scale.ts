/**
 * Scale bench (issue 14): random BF16 checkpoints shaped like Llama-3.2-1B and Gemma-2-2B are
 * written in the Hugging Face layout (to SCALE_BENCH_DIR or the OS temp dir: 2.5 GB and 5.2 GB)
 * and loaded through the real loader onto the CPU backend in a child process (so the writer's
 * memory does not count). Reports load time, peak RSS / file size (target ≤ 1.3: weights stay
 * BF16, no f32 copy), a 32-token forward and KV-cached generation tokens/s.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScaleShape } from './scale-checkpoints.ts';
import { GEMMA_2_2B, LLAMA_3_2_1B, writeCheckpoint } from './scale-checkpoints.ts';

export type ScaleBench = Record<string, number | string>;

export function benchScaleOf(shape: ScaleShape, tokens = 32, newTokens = 4): ScaleBench {
  const written = writeCheckpoint(shape, process.env.SCALE_BENCH_DIR);
  try {
    const child = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', child, written.folder, String(tokens), String(newTokens)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    const gib = (b: number) => +(b / 2 ** 30).toFixed(2);
    // Generation: the first new token comes from the prefill; the rest are single-token steps.
    const decodeSeconds = Math.max(r.generateSeconds - r.prefillSeconds, 1e-9);
    return {
      'checkpoint file (GiB)': gib(written.fileBytes),
      'load time (s)': +r.loadSeconds.toFixed(1),
      'peak RSS after load (GiB)': gib(r.loadPeakRssBytes),
      'peak RSS after load / file size': +(r.loadPeakRssBytes / written.fileBytes).toFixed(3),
      'peak RSS overall / file size': +(r.peakRssBytes / written.fileBytes).toFixed(3),
      [`forward ${tokens} tokens, CPU backend (s)`]: +r.forwardSeconds.toFixed(1),
      [`generation tokens/s (8-token prompt, ${r.newTokens} new, KV-cached)`]: +(r.newTokens / r.generateSeconds).toFixed(3),
      'decode tokens/s (excluding the prefill)': +((r.newTokens - 1) / decodeSeconds).toFixed(3),
    };
  } finally {
    rmSync(written.folder, { recursive: true, force: true });
  }
}

export async function benchScale(): Promise<ScaleBench> {
  const out: ScaleBench = {};
  for (const shape of [LLAMA_3_2_1B, GEMMA_2_2B]) {
    for (const [k, v] of Object.entries(benchScaleOf(shape))) out[`${shape.name}: ${k}`] = v;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await benchScale());
}
