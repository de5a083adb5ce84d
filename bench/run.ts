/**
 * `npm run bench`: every bench in one run, each printing ratios against a baseline measured in
 * the same run. Timings live here, never in tests.
 */
import { benchAttributionGraph } from './attribution-graph.ts';
import { benchCpuBackends } from './cpu-backends.ts';
import { benchEngine } from './engine.ts';
import { benchPatching } from './patching.ts';
import { benchScale } from './scale.ts';
import { benchWebGpu } from './webgpu.ts';

type Bench = () => Promise<Record<string, number | string>>;

const benches: [string, Bench][] = [
  ['cpu backends (fast CPU vs reference vs PyTorch, GPT-2-small shape)', () => benchCpuBackends()],
  ['engine (CPU backend, GPT-2-small shape)', () => benchEngine()],
  ['patching sweep (CPU backend, GPT-2-small shape)', () => benchPatching()],
  ['webgpu (GPT-2-small shape)', () => benchWebGpu()],
  ['scale (CPU backend, Llama-3.2-1B and Gemma-2-2B shapes, BF16)', () => benchScale()],
  ['attribution graph (fast CPU backend, stories260K with its built-in transcoders)', () => benchAttributionGraph()],
];

const only = process.argv[2];
for (const [name, bench] of benches) {
  if (only && !name.startsWith(only)) continue;
  console.log(`\n## ${name}`);
  const result = await bench();
  for (const [k, v] of Object.entries(result)) console.log(`  ${k.padEnd(48)} ${v}`);
}
