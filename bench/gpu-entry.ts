/**
 * Entry of the GPU-machine bundle (bench/gpu-bundle.mjs): the WebGPU bench alone. The CPU
 * baseline runs there too, so its ratio is measured on the same machine in the same run.
 */
import { benchWebGpu } from './webgpu.ts';

// An optional token count (default 128) makes a quick smoke run possible: `./node bench.mjs 8`.
const result = await benchWebGpu(Number(process.argv[2] ?? 128));
for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(48)} ${v}`);
console.log(JSON.stringify(result));
