// Node module hooks that serve `*.wgsl?raw` imports as `export default "<source>"`, the way
// Vite does, so the kernels also load in plain Node and under tsx (the CLI). node.ts registers
// them before it imports the backend.
import { readFile } from 'node:fs/promises';

const RAW = /\.wgsl\?raw$/;

export async function resolve(specifier, context, nextResolve) {
  if (!RAW.test(specifier) || !context.parentURL) return nextResolve(specifier, context);
  return { url: new URL(specifier, context.parentURL).href, format: 'module', shortCircuit: true };
}

export async function load(url, context, nextLoad) {
  if (!RAW.test(url)) return nextLoad(url, context);
  const file = new URL(url);
  file.search = '';
  const source = await readFile(file, 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(source)};`, shortCircuit: true };
}
