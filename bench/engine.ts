/**
 * Engine bench (issue 2): load time and peak RSS for a GPT-2-small-shaped checkpoint, and
 * forward time for 128 tokens capturing nothing vs every hook, on the CPU backend.
 * Load is measured in a child process so the writer's memory does not count.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeGpt2Small } from './gpt2-small.ts';

export interface EngineBench {
  readonly [key: string]: number | string;
}

export async function benchEngine(tokens = 128): Promise<EngineBench> {
  const written = writeGpt2Small();
  try {
    const child = fileURLToPath(new URL('./engine-child.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', child, written.folder, String(tokens)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    return {
      'model f32 size (MiB)': +(written.f32Bytes / 2 ** 20).toFixed(1),
      'load time (s)': +r.loadSeconds.toFixed(2),
      'peak RSS while loading (MiB)': +(r.peakRssBytes / 2 ** 20).toFixed(1),
      'peak RSS / f32 size': +(r.peakRssBytes / written.f32Bytes).toFixed(3),
      'RSS before load (MiB)': +(r.baseRssBytes / 2 ** 20).toFixed(1),
      // What loading itself adds, without Node's and tsx's own footprint.
      '(peak − before load) / f32 size': +((r.peakRssBytes - r.baseRssBytes) / written.f32Bytes).toFixed(3),
      [`forward ${tokens} tokens, capture nothing (s)`]: +r.forwardPlain.toFixed(2),
      [`forward ${tokens} tokens, capture every hook (s)`]: +r.forwardAll.toFixed(2),
      'capture-all / capture-nothing': +(r.forwardAll / r.forwardPlain).toFixed(3),
    };
  } finally {
    rmSync(written.folder, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await benchEngine());
}
