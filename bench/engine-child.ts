/** Child process of bench/engine.ts: load a folder, measure peak RSS and forward times. */
import { performance } from 'node:perf_hooks';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { seededRandom } from '../analysis/model/sampling.ts';

const [folder, tokensArg] = process.argv.slice(2);
const baseRssBytes = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const model = modelOnBackend({ ...(await loadHostModel(new NodeFolderSource(folder))), label: folder }, createCpuBackend());
const loadSeconds = (performance.now() - t0) / 1000;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
const random = seededRandom(3);
const ids = Array.from({ length: Number(tokensArg) }, () => Math.floor(random() * model.spec.dVocab));
let t = performance.now();
await run(model, { ids }, { logits: 'last' });
const forwardPlain = (performance.now() - t) / 1000;
t = performance.now();
await run(model, { ids }, { logits: 'last', capture: ['**'] });
const forwardAll = (performance.now() - t) / 1000;
console.log(JSON.stringify({ loadSeconds, peakRssBytes, baseRssBytes, forwardPlain, forwardAll }));
