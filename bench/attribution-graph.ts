/**
 * Attribution-graph bench: the built-in stories260K with its built-in per-layer transcoders
 * (models/stories260K-transcoders) on the fast CPU backend, at growing prompt lengths. Reports
 * nodes, the dense matrices' memory and the graph's time as a multiple of one forward pass of the
 * same prompt measured in the same run. Run alone with `npm run bench attribution`.
 */
import { performance } from 'node:perf_hooks';
import { createWasmBackend } from '../gpu/wasm/index.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { builtinModelFolder } from '../analysis/model/builtin.ts';
import { run } from '../analysis/model/run.ts';
import { nodeDictionaryResolver } from '../analysis/dictionaries/node-resolver.ts';
import { graphTranscoder } from '../analysis/methods/attribution-graph/from-dictionary.ts';
import { attributionGraph, graphMatrixBytes } from '../analysis/methods/attribution-graph/graph.ts';

const STORY =
  'Once upon a time, there was a little girl named Lily. She loved to play with her toys in the park. One day, she saw a big red ball ' +
  'under a tree. She ran to get it, but a dog came and took the ball. Lily was sad and cried. Her mom came and gave her a hug.';

async function seconds<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, (performance.now() - t0) / 1000];
}

export async function benchAttributionGraph(lengths: readonly number[] = [8, 16, 32, 48]): Promise<Record<string, number | string>> {
  const backend = await createWasmBackend();
  const host = await loadHostModel(new NodeFolderSource(builtinModelFolder('builtin:stories260K')));
  const model = modelOnBackend({ ...host, label: 'builtin:stories260K' }, backend);
  const transcoders = (await nodeDictionaryResolver(model)('builtin:stories260K-transcoders', 'transcoders')).map(graphTranscoder);
  const all = model.tokenizer!.encode(STORY, { prependBos: true });
  const out: Record<string, number | string> = {};
  for (const n of lengths) {
    const ids = all.slice(0, n);
    await run(model, { ids }, { logits: 'last' });
    const [, forward] = await seconds(() => run(model, { ids }, { logits: 'last' }));
    const [g, graph] = await seconds(() => attributionGraph(model, { ids }, { transcoders, batchSize: 32, maxNodes: 20_000 }));
    const nodes = g.values.length;
    out[`${n} tokens: nodes (features)`] = `${nodes} (${g.features.length})`;
    out[`${n} tokens: dense matrices MiB`] = (graphMatrixBytes(nodes) / 2 ** 20).toFixed(1);
    out[`${n} tokens: graph s`] = graph.toFixed(2);
    out[`${n} tokens: graph / one forward`] = Math.round(graph / forward);
    out[`${n} tokens: identity error`] = g.checks.maxIdentityError.toExponential(1);
  }
  backend.close();
  return out;
}
