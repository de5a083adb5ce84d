/**
 * Child process of bench/scale.ts: load a checkpoint folder through the real loader onto the CPU
 * backend, then time a 32-token forward and KV-cached generation. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { generate } from '../analysis/model/generate.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { seededRandom } from '../gpu/random.ts';

const [folder, tokensArg, newTokensArg] = process.argv.slice(2);
const baseRssBytes = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const model = modelOnBackend({ ...(await loadHostModel(new NodeFolderSource(folder))), label: folder }, createCpuBackend());
const loadSeconds = (performance.now() - t0) / 1000;
const loadPeakRssBytes = process.resourceUsage().maxRSS * 1024;
const random = seededRandom(3);
const ids = Array.from({ length: Number(tokensArg) }, () => Math.floor(random() * model.spec.dVocab));
let t = performance.now();
await run(model, { ids }, { logits: 'last' });
const forwardSeconds = (performance.now() - t) / 1000;
const prompt = ids.slice(0, 8);
t = performance.now();
await run(model, { ids: prompt }, { logits: 'last' });
const prefillSeconds = (performance.now() - t) / 1000;
const newTokens = Number(newTokensArg);
t = performance.now();
await generate(model, { ids: prompt }, { maxNewTokens: newTokens, stopTokens: [] });
const generateSeconds = (performance.now() - t) / 1000;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ loadSeconds, baseRssBytes, loadPeakRssBytes, peakRssBytes, forwardSeconds, prefillSeconds, generateSeconds, newTokens }));
